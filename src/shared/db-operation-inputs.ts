import { z } from 'zod'
import { MAX_MIGRATION_VERSION } from './migration-types'
import { RequestedEnvironmentSchema } from './schemas/names'

/**
 * Inputs of the database operations, for the contract ('db.setup', 'db.status', …) and the CLI.
 * Destructive operations take `confirm: true`, or in a protected environment `confirmation`
 * equal to the database name.
 */
const environment = RequestedEnvironmentSchema.optional()
const version = z.number().int().min(1).max(MAX_MIGRATION_VERSION)
const confirm = z.boolean().optional()
const confirmation = z.string().max(200).optional()

export const DbStatusInputSchema = z.object({ environment }).strict()
export const DbSetupInputSchema = z.object({ environment }).strict()
export const DbMigrateInputSchema = z.object({ environment, toVersion: version.optional() }).strict()
export const DbRepairInputSchema = z.object({ environment, confirm, confirmation }).strict()
export const DbRollbackInputSchema = z
  .object({
    environment,
    // 0 rolls back every applied migration; absent, only the newest.
    toVersion: z.number().int().min(0).max(MAX_MIGRATION_VERSION).optional(),
    confirm,
    confirmation
  })
  .strict()
export const DbRestoreInputSchema = z
  .object({
    environment,
    /** Absolute path of a backup file on this workstation. */
    backupFile: z.string().min(1).max(4096),
    /** Restores even when the file's checksum is unknown or differs from the recorded one. */
    force: z.boolean().optional(),
    confirm,
    confirmation
  })
  .strict()
export const DbVerifyInputSchema = z.object({ environment }).strict()

export type DbStatusInput = z.infer<typeof DbStatusInputSchema>
export type DbSetupInput = z.infer<typeof DbSetupInputSchema>
export type DbMigrateInput = z.infer<typeof DbMigrateInputSchema>
export type DbRepairInput = z.infer<typeof DbRepairInputSchema>
export type DbRollbackInput = z.infer<typeof DbRollbackInputSchema>
export type DbRestoreInput = z.infer<typeof DbRestoreInputSchema>
export type DbVerifyInput = z.infer<typeof DbVerifyInputSchema>
