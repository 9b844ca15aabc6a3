import type { GuardWindowRecord, HistoryEvent } from '@shared/history-types'
import { guardThresholdsOf, type GuardAction, type GuardThresholds } from '@shared/schemas/guard-settings'
import type { HistoryStore } from '@main/history/history-store'
import type { GuardWindow } from './core/guard-engine'
import { guardWindowJson, type GuardWindowJson } from './core/guard-replay-format'

export interface GuardTrip {
  window: GuardWindow
  /** The stored guard_trip event. */
  event: HistoryEvent
  /** What the environment says to do about it (docs/design.md "Guards": rollback, kill or alert). */
  action: GuardAction
}

/** What the history file keeps of a window: the replay line's figures plus what else the engine saw. */
export interface GuardWindowFigures extends GuardWindowJson {
  unattributed: number
  breach_streak: number
  settings: GuardThresholds & { lateness_seconds: number }
}

export interface GuardWindowRecorderOptions {
  flag: string
  environment: string
  settings: GuardThresholds & { action?: GuardAction }
  latenessSeconds: number
  history: Pick<HistoryStore, 'guardWindows' | 'events'>
  /** Each decided window, after it is stored. */
  onWindow?: (window: GuardWindow, record: GuardWindowRecord) => void | Promise<void>
  /** A trip, after its window and its guard_trip event are stored. */
  onTrip?: (trip: GuardTrip) => void | Promise<void>
}

/**
 * One decided window into the history file, whichever source decided it (the log through the
 * engine, or a metrics server): stored with its figures and the thresholds that judged it, a trip
 * recorded as a `guard_trip` event, then handed to the hooks. So a window reads the same on every
 * page and in every report wherever its figures came from.
 */
export class GuardWindowRecorder {
  private tripCount = 0

  constructor(private readonly options: GuardWindowRecorderOptions) {}

  get trips(): number {
    return this.tripCount
  }

  async record(window: GuardWindow): Promise<void> {
    const { flag, environment, settings, history } = this.options
    const figures = guardWindowFigures(window, settings, this.options.latenessSeconds)
    const record = history.guardWindows.recordGuardWindow({
      flag,
      environment,
      windowStart: figures.window_start,
      windowSeconds: window.windowSeconds,
      decision: window.decision,
      figures
    })
    let trip: GuardTrip | null = null
    if (window.decision === 'trip') {
      const action = settings.action ?? 'rollback'
      const event = history.events.appendEvent({
        kind: 'guard_trip',
        actor: 'rampart',
        flag,
        environment,
        reason: `guards tripped in the window from ${figures.window_start}: ${window.reasons.join('; ')}`,
        guardSnapshot: figures,
        // Recorded before the action is taken; the action's own event (by rampart) tells how it went.
        outcome: 'tripped',
        detail: { window_start: figures.window_start, window_seconds: window.windowSeconds, action }
      })
      this.tripCount += 1
      trip = { window, event, action }
    }
    await this.options.onWindow?.(window, record)
    if (trip !== null) await this.options.onTrip?.(trip)
  }
}

function guardWindowFigures(
  window: GuardWindow,
  settings: GuardThresholds,
  latenessSeconds: number
): GuardWindowFigures {
  return {
    ...guardWindowJson(window),
    unattributed: window.unattributed,
    breach_streak: window.breachStreak,
    settings: { ...guardThresholdsOf(settings), lateness_seconds: latenessSeconds }
  }
}
