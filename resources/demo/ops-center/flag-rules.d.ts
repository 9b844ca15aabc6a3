// Types for flag-rules.js, so the TypeScript test that compares it with the core can import it.

export interface DemoFlagState {
  enabled: boolean
  rollout_percentage: number
  whitelist_users: readonly string[]
  blacklist_users: readonly string[]
  start_date: string | null
  end_date: string | null
}

export interface DemoFlagEvaluation {
  enabled: boolean
  reason: 'disabled' | 'blacklisted' | 'whitelisted' | 'before_start' | 'after_end' | 'in_rollout' | 'outside_rollout'
  bucket: number | null
}

export function murmur3x86_32(text: string, seed?: number): number
export function flagBucket(flag: string, user: string): number
/** Epoch ms; null for no gate; undefined when the text is not a real date or timestamp. */
export function dateGateInstant(value: string | null | undefined, edge: 'start' | 'end'): number | null | undefined
export function compileFlag(
  flag: string,
  state: DemoFlagState
): (user: string | null | undefined, atEpochMs: number) => DemoFlagEvaluation
export function evaluateFlag(
  flag: string,
  state: DemoFlagState,
  user: string | null | undefined,
  atEpochMs: number
): DemoFlagEvaluation
