import { z } from 'zod'

/** What a trip does: roll the flag back to 0 %, kill it, or only record an alert. */
const GUARD_ACTIONS = ['rollback', 'kill', 'alert'] as const
export type GuardAction = (typeof GUARD_ACTIONS)[number]

/**
 * Every guard setting set: what a live watch judges with, lateness resolved. The workspace's
 * `guards` block is these with defaults; a single watch's overrides are these, each optional.
 */
export const ResolvedGuardSettingsSchema = z
  .object({
    window_seconds: z.number().int().min(1).max(86_400),
    min_requests: z.number().int().min(1),
    max_error_rate: z.number().min(0).max(1),
    max_latency_degradation: z.number().min(0),
    breach_windows: z.number().int().min(1),
    // How long after its end a window waits for late lines before it is decided.
    lateness_seconds: z.number().int().min(0).max(86_400),
    action: z.enum(GUARD_ACTIONS)
  })
  .strict()

const setting = ResolvedGuardSettingsSchema.shape

/** The workspace's `guards` block (docs/design.md "Guards"); lateness absent means one window. */
export const GuardSettingsSchema = z
  .object({
    window_seconds: setting.window_seconds.default(60),
    min_requests: setting.min_requests.default(100),
    max_error_rate: setting.max_error_rate.default(0.05),
    max_latency_degradation: setting.max_latency_degradation.default(0.5),
    breach_windows: setting.breach_windows.default(2),
    lateness_seconds: setting.lateness_seconds.optional(),
    action: setting.action.default('rollback')
  } satisfies Record<keyof typeof setting, z.ZodType>)
  .strict()
export type GuardSettings = z.infer<typeof GuardSettingsSchema>

/** The five thresholds a window is judged by: the settings without lateness (when) and action (what then). */
const GuardThresholdsSchema = ResolvedGuardSettingsSchema.omit({ lateness_seconds: true, action: true })
export type GuardThresholds = z.infer<typeof GuardThresholdsSchema>

/** window_seconds, min_requests, max_error_rate, max_latency_degradation, breach_windows: in the schema's order. */
export const GUARD_THRESHOLD_KEYS = GuardThresholdsSchema.keyof().options

/** Just the thresholds of a larger settings object, in the schema's order (as they are stored with a window). */
export function guardThresholdsOf(settings: GuardThresholds): GuardThresholds {
  return Object.fromEntries(GUARD_THRESHOLD_KEYS.map((key) => [key, settings[key]])) as GuardThresholds
}
