import { z } from 'zod'

/**
 * Inputs of the live guard streams, for the contract ('guards.windows', 'rollout.watch') and the
 * CLI (`guards watch`, `rollout watch`).
 */
const environment = z.string().min(1).max(64).optional()
const flag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a flag name is letters, digits, "_", "." or "-" (at most 100)')

/**
 * Single guard settings replacing the environment's for one watch. The action is not among them:
 * what a trip does is the environment's decision, not the watcher's.
 */
export const GuardOverridesSchema = z
  .object({
    window_seconds: z.number().int().min(1).max(86_400).optional(),
    min_requests: z.number().int().min(1).optional(),
    max_error_rate: z.number().min(0).max(1).optional(),
    max_latency_degradation: z.number().min(0).optional(),
    breach_windows: z.number().int().min(1).optional(),
    lateness_seconds: z.number().int().min(0).max(86_400).optional()
  })
  .strict()

/** Watch the guards of a flag live: every decided window is stored in history and streamed. */
export const GuardWindowsInputSchema = z.object({ environment, flag, overrides: GuardOverridesSchema.optional() }).strict()

/**
 * Guarded rollout orchestration while subscribed: windows are judged with the environment's own
 * settings (no overrides), because a trip takes the environment's action automatically.
 */
export const RolloutWatchInputSchema = z
  .object({
    environment,
    flag,
    /** Stop after this many decided windows; without it, until unsubscribed. */
    windows: z.number().int().min(1).max(1_000_000).optional()
  })
  .strict()

export type GuardOverrides = z.infer<typeof GuardOverridesSchema>
export type GuardWindowsInput = z.infer<typeof GuardWindowsInputSchema>
export type RolloutWatchInput = z.infer<typeof RolloutWatchInputSchema>
