import { z } from 'zod'

/** A date gate: a date-only `YYYY-MM-DD` or a full ISO 8601 timestamp; null or empty means no gate. */
export const DateGateSchema = z.string().nullable()

/** A flag's state, in the shape of the seed's flag API `config` object. */
export const FlagStateSchema = z.object({
  enabled: z.boolean(),
  rollout_percentage: z.number().int().min(0).max(100),
  whitelist_users: z.array(z.string()).default([]),
  blacklist_users: z.array(z.string()).default([]),
  start_date: DateGateSchema.default(null),
  end_date: DateGateSchema.default(null)
})
export type FlagState = z.infer<typeof FlagStateSchema>

export const EVALUATION_REASONS = [
  'disabled',
  'blacklisted',
  'whitelisted',
  'before_start',
  'after_end',
  'in_rollout',
  'outside_rollout'
] as const
export type EvaluationReason = (typeof EVALUATION_REASONS)[number]

export interface FlagEvaluation {
  enabled: boolean
  reason: EvaluationReason
  /** 1..100 when a user id was given, null otherwise. */
  bucket: number | null
}
