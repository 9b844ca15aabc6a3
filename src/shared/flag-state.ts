import { z } from 'zod'

/**
 * A date gate: a date-only `YYYY-MM-DD` or a full ISO 8601 timestamp with seconds and a zone
 * (`Z` or `±hh:mm`); null or empty means no gate, and empty becomes null. Impossible dates
 * (2025-02-30) fail here, so a malformed flag config is refused when it is read, not when a
 * user is evaluated. `core/date-gate.ts` accepts exactly these forms.
 */
export const DateGateSchema = z.union(
  [z.iso.date(), z.iso.datetime({ offset: true }), z.literal('').transform(() => null), z.null()],
  {
    error:
      'not a date gate: expected YYYY-MM-DD (e.g. 2025-10-27), an ISO 8601 timestamp with seconds and a ' +
      'zone (e.g. 2025-10-27T09:30:00+02:00), empty or null; impossible dates such as 2025-02-30 are refused'
  }
)

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

/** The six fields, in the API's order (the schema's). */
export const FLAG_STATE_FIELDS = FlagStateSchema.keyof().options

export type EvaluationReason =
  'disabled' | 'blacklisted' | 'whitelisted' | 'before_start' | 'after_end' | 'in_rollout' | 'outside_rollout'

export interface FlagEvaluation {
  enabled: boolean
  reason: EvaluationReason
  /** 1..100 when a user id was given, null otherwise. */
  bucket: number | null
}
