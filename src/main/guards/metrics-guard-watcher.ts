import { setTimeout as sleep } from 'node:timers/promises'
import { RampartError } from '@shared/errors'
import type { GuardWindowRecord } from '@shared/history-types'
import type { GuardAction, GuardThresholds } from '@shared/schemas/guard-settings'
import type { HistoryStore } from '@main/history/history-store'
import type { Clock } from '@main/platform/clock'
import type { GuardWindow } from './core/guard-engine'
import { decideWindow, type CohortFigures } from './core/guard-decision'
import { cohortFiguresFromAnswers, expandQuery, type PrometheusQueries } from './core/prometheus-window'
import { GuardWindowRecorder, type GuardTrip } from './guard-window-recorder'
import type { GuardWatchReport } from './guard-watcher'
import type { MetricsProvider } from './metrics-provider'

export interface MetricsGuardWatcherOptions {
  provider: MetricsProvider
  queries: PrometheusQueries
  flag: string
  environment: string
  settings: GuardThresholds & { action?: GuardAction }
  /** How long after its end a window is queried: at least the scrape interval. Default one window. */
  latenessSeconds?: number
  /** The first window is the one holding this instant. */
  startMs: number
  history: Pick<HistoryStore, 'guardWindows' | 'events'>
  clock: Clock
  /** How long a window's queries are tried again while the server does not answer; default one window. */
  retryForMs?: number
  onWindow?: (window: GuardWindow, record: GuardWindowRecord) => void | Promise<void>
  onTrip?: (trip: GuardTrip) => void | Promise<void>
}

/**
 * Live guards from a metrics server: at each window's end plus lateness, the three queries are
 * evaluated at the window's end, their per-cohort answers judged by the same rule as windows from
 * the log (`decideWindow`, with the breach streak carried along), and stored the same way.
 *
 * Windows are aligned as the log's are (multiples of window_seconds since the epoch), on this
 * machine's clock. A cohort without samples has 0 requests, so such a window is a hold. A server
 * that does not answer is never taken as healthy: the window is tried again for `retryForMs`,
 * then the watch stops with an `unreachable` error naming the server and the window, and no
 * decision is stored for it.
 */
export class MetricsGuardWatcher {
  private readonly windowMs: number
  private readonly latenessMs: number
  private readonly pollMs: number
  private readonly recorder: GuardWindowRecorder
  private breachStreak = 0
  private windows = 0

  constructor(private readonly options: MetricsGuardWatcherOptions) {
    this.windowMs = options.settings.window_seconds * 1000
    const latenessSeconds = options.latenessSeconds ?? options.settings.window_seconds
    this.latenessMs = latenessSeconds * 1000
    this.pollMs = Math.max(50, Math.min(1000, this.windowMs / 4))
    this.recorder = new GuardWindowRecorder({
      flag: options.flag,
      environment: options.environment,
      settings: options.settings,
      latenessSeconds,
      history: options.history,
      ...(options.onWindow === undefined ? {} : { onWindow: options.onWindow }),
      ...(options.onTrip === undefined ? {} : { onTrip: options.onTrip })
    })
  }

  /** Watches until `signal` aborts; a server that stays unreachable, or a query it refuses, is thrown. */
  async run(signal: AbortSignal): Promise<GuardWatchReport> {
    await this.options.provider.isOnline()
    let startMs = Math.floor(this.options.startMs / this.windowMs) * this.windowMs
    for (;;) {
      const dueMs = startMs + this.windowMs + this.latenessMs
      if (!(await this.waitUntil(dueMs, signal))) return this.report('aborted')
      const figures = await this.windowFigures(startMs, dueMs, signal)
      if (figures === null) return this.report('aborted')
      const decided = decideWindow(figures.treatment, figures.control, this.options.settings, this.breachStreak)
      this.breachStreak = decided.breachStreak
      await this.recorder.record({
        windowStartMs: startMs,
        windowSeconds: this.options.settings.window_seconds,
        treatment: figures.treatment,
        control: figures.control,
        unattributed: 0,
        decision: decided.decision,
        reasons: decided.reasons,
        breachStreak: decided.breachStreak
      })
      this.windows += 1
      startMs += this.windowMs
    }
  }

  /** The window's figures, tried again while the server does not answer; null when aborted meanwhile. */
  private async windowFigures(
    startMs: number,
    dueMs: number,
    signal: AbortSignal
  ): Promise<{ treatment: CohortFigures; control: CohortFigures } | null> {
    const giveUpMs = dueMs + (this.options.retryForMs ?? this.windowMs)
    for (;;) {
      try {
        return await this.query(startMs)
      } catch (error) {
        const retryable = error instanceof RampartError && (error.code === 'unreachable' || error.code === 'failed')
        if (!retryable) throw error
        if (this.options.clock.now().getTime() >= giveUpMs) {
          throw new RampartError(
            'unreachable',
            `${error.message}; the window from ${new Date(startMs).toISOString()} of ${this.options.flag} ` +
              `in ${this.options.environment} was not decided (an unreachable server is never taken as healthy)`,
            error.detail
          )
        }
        if (!(await this.pause(this.pollMs, signal))) return null
      }
    }
  }

  private async query(startMs: number): Promise<{ treatment: CohortFigures; control: CohortFigures }> {
    const { provider, queries, flag, settings } = this.options
    const endMs = startMs + this.windowMs
    const values = { flag, windowSeconds: settings.window_seconds }
    const [requests, failures, p95] = await Promise.all([
      provider.runQuery(expandQuery(queries.requests, values), endMs, 'guards.queries.requests'),
      provider.runQuery(expandQuery(queries.failures, values), endMs, 'guards.queries.failures'),
      provider.runQuery(expandQuery(queries.p95, values), endMs, 'guards.queries.p95')
    ])
    return cohortFiguresFromAnswers({ requests, failures, p95 })
  }

  /** Sleeps until the clock reaches `atMs`; false when aborted first. */
  private async waitUntil(atMs: number, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false
      const remainingMs = atMs - this.options.clock.now().getTime()
      if (remainingMs <= 0) return true
      if (!(await this.pause(Math.min(remainingMs, this.pollMs), signal))) return false
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal })
      return true
    } catch {
      return false
    }
  }

  private report(stopped: GuardWatchReport['stopped']): GuardWatchReport {
    return {
      counts: { lines: 0, unparsed: 0, late: 0, unattributed: 0, windows: this.windows },
      trips: this.recorder.trips,
      stopped
    }
  }
}
