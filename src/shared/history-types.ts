/** A value as it comes back out of the history file: plain JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * What an event records. The list is open-ended on purpose: an older build reading a newer
 * kind shows it as text instead of refusing the file, so new kinds need no schema version.
 */
export const HISTORY_EVENT_KINDS = [
  'phase_move',
  'enable',
  'adopt',
  'guard_trip',
  'drift',
  'rollback',
  'kill',
  'refused',
  'flag_change',
  'runbook',
  'db_operation',
  'docker_action',
  'notification',
  'replay',
  /** The operator has seen a history file that was moved aside as unreadable (detail.movedAside names it). */
  'history_acknowledged'
] as const
export type HistoryEventKind = (typeof HISTORY_EVENT_KINDS)[number]

/**
 * An event as the caller hands it in. Callers pass redacted data only: nothing here may hold a
 * password, token or connection string with credentials, because the file is append-only and a
 * secret written once can never be removed without breaking the chain.
 * JSON fields take any JSON-serialisable value and are stored as JSON.stringify would store them.
 */
export interface NewHistoryEvent {
  kind: HistoryEventKind
  /** Who did it: an operator name, or `rampart` for automatic actions such as a guard trip. */
  actor: string
  flag?: string | null
  environment?: string | null
  reason?: string | null
  fromState?: unknown
  toState?: unknown
  guardSnapshot?: unknown
  outcome?: string | null
  detail?: unknown
}

/** An event as stored: numbered, timestamped and chained to the one before it. */
export interface HistoryEvent {
  seq: number
  /** ISO 8601, UTC. */
  at: string
  kind: HistoryEventKind
  actor: string
  flag: string | null
  environment: string | null
  reason: string | null
  fromState: JsonValue
  toState: JsonValue
  guardSnapshot: JsonValue
  outcome: string | null
  detail: JsonValue
  /** Hash of the event before this one (64 zeros for the first). */
  prevHash: string
  hash: string
}

type ChainProblemKind = 'edited' | 'missing' | 'reordered'

export interface ChainProblem {
  /** The event the problem was found at (0 when it concerns the chain head record). */
  seq: number
  kind: ChainProblemKind
  message: string
}

/** The result of `rampart history verify`. */
export type ChainReport =
  { ok: true; count: number; headHash: string } | { ok: false; count: number; problems: ChainProblem[] }

/** A rollout's current state, one row per flag and environment. */
export interface RolloutRecord {
  flag: string
  environment: string
  createdAt: string
  updatedAt: string
  state: JsonValue
}

export interface GuardWindowRecord {
  id: number
  flag: string
  environment: string
  windowStart: string
  windowSeconds: number
  decision: string
  /** Figures for treatment and control, reasons, settings used: whatever the guard engine saw. */
  figures: JsonValue
  recordedAt: string
}
