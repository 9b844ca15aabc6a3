import { z } from 'zod'
import { ResolvedGuardSettingsSchema } from './schemas/guard-settings'
import { FlagNameSchema, RequestedEnvironmentSchema } from './schemas/names'

/**
 * Inputs of the live guard streams, for the contract ('guards.windows', 'rollout.watch') and the
 * CLI (`guards watch`, `rollout watch`).
 */
const environment = RequestedEnvironmentSchema.optional()

/**
 * Single guard settings replacing the environment's for one watch. The action is not among them:
 * what a trip does is the environment's decision, not the watcher's.
 */
export const GuardOverridesSchema = ResolvedGuardSettingsSchema.omit({ action: true }).partial().strict()

/** Watch the guards of a flag live: every decided window is stored in history and streamed. */
export const GuardWindowsInputSchema = z
  .object({ environment, flag: FlagNameSchema, overrides: GuardOverridesSchema.optional() })
  .strict()

/**
 * Guarded rollout orchestration while subscribed: windows are judged with the environment's own
 * settings (no overrides), because a trip takes the environment's action automatically.
 */
export const RolloutWatchInputSchema = z
  .object({
    environment,
    flag: FlagNameSchema,
    /** Stop after this many decided windows; without it, until unsubscribed. */
    windows: z.number().int().min(1).max(1_000_000).optional()
  })
  .strict()

export type RolloutWatchInput = z.infer<typeof RolloutWatchInputSchema>
