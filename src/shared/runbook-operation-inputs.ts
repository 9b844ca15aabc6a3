import { z } from 'zod'
import { MAX_MIGRATION_VERSION } from './migration-types'
import { RUNBOOK_RUN_STATUSES } from './runbook-types'
import { FlagNameSchema, RequestedEnvironmentSchema } from './schemas/names'

/**
 * Inputs of the runbook operations, for the contract ('rollback.emergency',
 * 'runbook.fullRollback', 'runbook.resume', 'runbook.cancel', 'runbook.list') and the CLI.
 */
const environment = RequestedEnvironmentSchema.optional()
const reason = z
  .string()
  .max(2000)
  .refine((text) => text.trim() !== '', 'a reason is required: it is recorded with the action')
const runId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)
// The service is stopped with SIGTERM and killed after this many seconds.
const stopTimeoutSeconds = z.number().int().min(0).max(300).optional()

export const RollbackEmergencyInputSchema = z
  .object({ environment, flag: FlagNameSchema, reason, stopTimeoutSeconds })
  .strict()

export const RunbookFullRollbackInputSchema = z
  .object({
    environment,
    /** Roll back every applied migration above this version (0: all). */
    toVersion: z.number().int().min(0).max(MAX_MIGRATION_VERSION),
    /** An image reference to run the service from afterwards (the previous release). */
    image: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, 'an image reference such as registry/ops-center:v1.0.0')
      .optional(),
    /** Disabled first, when given: the rolled back schema must not meet the feature. */
    flag: FlagNameSchema.optional(),
    reason,
    confirm: z.boolean().optional(),
    confirmation: z.string().max(200).optional(),
    stopTimeoutSeconds
  })
  .strict()

export const RunbookResumeInputSchema = z.object({ runId }).strict()
export const RunbookCancelInputSchema = z.object({ runId, reason: z.string().max(2000).optional() }).strict()
export const RunbookListInputSchema = z
  .object({
    status: z.enum(RUNBOOK_RUN_STATUSES).optional(),
    /** Only runs whose process is gone (shown at start, resumable). */
    interrupted: z.boolean().optional(),
    limit: z.number().int().min(1).max(1000).optional()
  })
  .strict()

export type RollbackEmergencyInput = z.infer<typeof RollbackEmergencyInputSchema>
export type RunbookFullRollbackInput = z.infer<typeof RunbookFullRollbackInputSchema>
