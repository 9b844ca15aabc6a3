import type { ContractError } from './errors'
import type { FlagState } from './flag-state'

/**
 * The `detail` of the errors whose detail is read past the message: main builds each one with
 * `satisfies`, the console (and the CLI) read them through `detailOf`, so a field renamed on one
 * side fails to compile on the other.
 */

/** Who holds a lock file (a flag's move lock, a flag's guard watch), as written in it. */
export interface LockHolder {
  actor: string
  pid: number
  host: string
  /** ISO 8601, wall-clock time of the holding machine. */
  since: string
}

/** conflict: the lock is held; null when its file could not be read. */
export interface LockHeldDetail {
  lockHolder: LockHolder | null
}

/** conflict: the flag changed since the operator read it (FlagState's fields, in their order). */
export interface MoveConflictDetail {
  expected: FlagState
  current: FlagState
  fields: (keyof FlagState)[]
}

/** refused: every unmet precondition of the move, in words for the operator. */
export interface MoveRefusedDetail {
  unmet: string[]
}

/** The move is written and recorded as this event, but the service did not pick it up. */
export interface UnappliedMoveDetail {
  eventSeq: number
  container: string
}

/** A runbook run that stopped: a step failed (`step`), it was cancelled, or another process took it over. */
export interface RunbookRunStoppedDetail {
  runId: number
  step?: string
  status?: 'cancelled'
}

/** The flag's state could not be read to attribute events without "flags" (a --flag-config would do). */
export interface FlagStateUnreadableDetail {
  flagStateUnreadable: true
}

/**
 * A detail as it arrives: the shape's fields, each possibly missing or of another type, so each is
 * checked before use.
 */
export type Unverified<Detail> = { [Field in keyof Detail]?: unknown }

/** The error's detail read as `Detail`, or null when it carries no object. */
export function detailOf<Detail extends object>(error: ContractError): Unverified<Detail> | null {
  const detail = error.detail
  return typeof detail === 'object' && detail !== null ? (detail as Unverified<Detail>) : null
}
