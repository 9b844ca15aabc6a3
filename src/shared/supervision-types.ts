import type { LockHolder } from './error-details'
import type { GuardWindowRecord } from './history-types'
import type { GuardSettingsView, RolloutWatchNotice } from './rollout-watch-types'

/**
 * How much a flag (or the whole console) needs someone's attention, from none to most. The
 * window and tab title show the worst of them. `unwatched`: an enabled flag nobody watches.
 */
export const ATTENTION_LEVELS = ['ok', 'unwatched', 'breach', 'trip', 'action_failed'] as const
export type AttentionLevel = (typeof ATTENTION_LEVELS)[number]

/**
 * How main's supervision of one flag stands:
 * - watching: this process judges its windows and acts on a trip;
 * - held_elsewhere: another process (a `rampart rollout watch`, another console) holds the watch;
 * - idle: the flag is disabled, nobody is exposed, nothing to watch;
 * - starting: a watch is being set up;
 * - failed: the watch could not run (the container is gone, the source unreadable); tried again.
 */
type FlagWatchState = 'watching' | 'held_elsewhere' | 'idle' | 'starting' | 'failed'

export interface FlagWatchView {
  environment: string
  flag: string
  state: FlagWatchState
  /** The state in words for the operator ("watching ops-center's log", "held by bob (pid 12 on box)"). */
  message: string
  /** When this state began. */
  since: string
  holder: LockHolder | null
  /** The container whose log is judged, once watching. */
  container: string | null
  settings: GuardSettingsView | null
  latestWindow: GuardWindowRecord | null
  attention: AttentionLevel
}

/** Something someone should know now: a breach, a trip, an automatic action that failed. */
export interface Attention {
  /** The `notification` event that recorded it. */
  seq: number
  at: string
  level: Exclude<AttentionLevel, 'ok' | 'unwatched'>
  environment: string
  flag: string
  title: string
  body: string
}

/** The worst state across every watched flag, and the window/tab title that shows it. */
export interface SupervisionSummary {
  worst: AttentionLevel
  /** e.g. "TRIP unified_llm_hub (staging)"; "All guards quiet" when nothing needs attention. */
  title: string
}

/** What the 'guards.supervision' stream sends: a snapshot first, then every change. */
export type SupervisionNotice =
  | { kind: 'snapshot'; watches: FlagWatchView[]; summary: SupervisionSummary; recent: Attention[] }
  | { kind: 'watch'; watch: FlagWatchView; summary: SupervisionSummary }
  | { kind: 'window'; environment: string; flag: string; window: GuardWindowRecord }
  | { kind: 'action'; environment: string; flag: string; action: Extract<RolloutWatchNotice, { kind: 'action' }> }
  | { kind: 'attention'; attention: Attention }
