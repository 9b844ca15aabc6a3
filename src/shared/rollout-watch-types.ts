import type { z } from 'zod'
import type { GuardAction, ResolvedGuardSettingsSchema } from './schemas/guard-settings'
import type { GuardWindowRecord } from './history-types'
import type { RolloutMoveResult } from './views'

/** The guard settings a live watch judges with, lateness resolved. */
export type GuardSettingsView = z.infer<typeof ResolvedGuardSettingsSchema>

/**
 * How a flag change reached the service. An env-file service reads its file at start, so it is
 * restarted; the HTTP API applies a change at once.
 * - restarted: the container was restarted and answered its health check;
 * - not_needed: the HTTP flag source, nothing to restart;
 * - not_running / absent: no running container; it reads the file when it next starts;
 * - skipped: the caller asked not to restart (the change waits for the next start).
 */
export interface ServiceApplyView {
  outcome: 'restarted' | 'not_needed' | 'not_running' | 'absent' | 'skipped'
  container: string | null
  message: string
  durationMs: number
}

/** A move written, recorded and applied to the running service. */
export interface AppliedMoveResult extends RolloutMoveResult {
  service: ServiceApplyView
}

/** What the guarded rollout orchestration reports while it runs (`rollout watch`, main's supervision). */
export type RolloutWatchNotice =
  | {
      kind: 'watching'
      environment: string
      flag: string
      container: string
      /** What is judged: `the log of <container>` or `Prometheus at <url>`. */
      origin: string
      settings: GuardSettingsView
    }
  | { kind: 'window'; window: GuardWindowRecord }
  /** The service's log stream ended because the container restarted, and is followed again. */
  | { kind: 'followed'; container: string; startedAt: string }
  | {
      kind: 'action'
      action: GuardAction
      /**
       * applied: done; recorded: alert only; skipped: nothing to do (already at 0 % or disabled);
       * failed: see message.
       */
      outcome: 'applied' | 'recorded' | 'skipped' | 'failed'
      message: string
      /** The guard_trip event that asked for it. */
      tripEventSeq: number
      /** The event that recorded the move, when one was written. */
      eventSeq: number | null
      service: ServiceApplyView | null
    }
  | { kind: 'stopped'; windows: number; trips: number; reason: 'ended' | 'aborted' | 'window_limit' }
