import type { FlagState } from '@shared/flag-state'
import type { GuardWindowRecord } from '@shared/history-types'
import type { LogLine } from '@shared/log-line'
import type { GuardAction, GuardThresholds } from '@shared/schemas/guard-settings'
import type { HistoryStore } from '@main/history/history-store'
import { GuardEngine, type GuardCounts, type GuardWindow } from './core/guard-engine'
import { parseLogLine } from './core/log-event'
import type { Clock } from '@main/platform/clock'
import type { FlagRules } from '@main/flags/core/flag-evaluation'
import { GuardWindowRecorder, type GuardTrip } from './guard-window-recorder'

export type { GuardTrip, GuardWindowFigures } from './guard-window-recorder'

/**
 * Live guards: a container's log lines through the guard engine, every decided window stored in
 * the history file, and a trip recorded as a `guard_trip` event and handed to `onTrip`, where
 * the environment's action (rollback, kill, alert) is hooked in.
 *
 * Windows close by event time, exactly as in replay. Only when no line has arrived for
 * window_seconds + lateness of wall-clock time does the watcher move event time on by the
 * wall-clock time that passed, so a silent service still yields (hold) windows. Only elapsed
 * wall time is used, never the reading machine's clock as an event time, so a remote engine
 * with a skewed clock does not shift windows.
 */

/** Where the lines come from: called once; must end its iteration when `signal` aborts. */
export type GuardLineSource = (signal: AbortSignal) => AsyncIterable<readonly LogLine[]>

/** Repeats `tick` every `intervalMs` until the returned function is called. Tests drive their own. */
export interface Ticker {
  every(intervalMs: number, tick: () => void): () => void
}

const intervalTicker: Ticker = {
  every(intervalMs, tick) {
    const timer = setInterval(tick, intervalMs)
    return () => clearInterval(timer)
  }
}

export interface GuardWatcherOptions {
  flag: string
  environment: string
  /** For events without `flags`; replace it with setFlagState when the rollout moves. */
  flagState: FlagState | null
  /** Whose evaluation rules attribute events without `flags` (the flag source's). */
  flagRules?: FlagRules
  settings: GuardThresholds & { action?: GuardAction }
  /** Default one window, as in replay. */
  latenessSeconds?: number
  /** The first window is the one holding this instant: when watching began, or --since. */
  startMs: number
  history: Pick<HistoryStore, 'guardWindows' | 'events'>
  clock: Clock
  ticker?: Ticker
  /** Each decided window, after it is stored. Awaited: windows are handled one at a time, in order. */
  onWindow?: (window: GuardWindow, record: GuardWindowRecord) => void | Promise<void>
  /** A trip, after its window and its guard_trip event are stored. */
  onTrip?: (trip: GuardTrip) => void | Promise<void>
}

export interface GuardWatchReport {
  counts: GuardCounts
  trips: number
  /**
   * `ended`: the log stream ended (the container stopped) and the open windows were decided;
   * `aborted`: stopped from outside, open windows dropped.
   */
  stopped: 'ended' | 'aborted'
}

export class GuardWatcher {
  private readonly engine: GuardEngine
  private readonly latenessSeconds: number
  private readonly idleMs: number
  private readonly tickMs: number
  /** Event time and wall time when the last batch arrived: the base for moving event time on while silent. */
  private anchorEventMs: number
  private anchorWallMs = 0
  /** Windows are stored and handed on strictly one after another, whether from lines or ticks. */
  private queue: Promise<void> = Promise.resolve()
  private failure: { error: unknown } | null = null
  private readonly internal = new AbortController()
  private readonly recorder: GuardWindowRecorder

  constructor(private readonly options: GuardWatcherOptions) {
    const windowSeconds = options.settings.window_seconds
    this.latenessSeconds = options.latenessSeconds ?? windowSeconds
    this.engine = new GuardEngine({
      flag: options.flag,
      flagState: options.flagState,
      ...(options.flagRules === undefined ? {} : { flagRules: options.flagRules }),
      settings: options.settings,
      latenessSeconds: this.latenessSeconds,
      firstWindowFromMs: options.startMs
    })
    this.recorder = new GuardWindowRecorder({
      flag: options.flag,
      environment: options.environment,
      settings: options.settings,
      latenessSeconds: this.latenessSeconds,
      history: options.history,
      ...(options.onWindow === undefined ? {} : { onWindow: options.onWindow }),
      ...(options.onTrip === undefined ? {} : { onTrip: options.onTrip })
    })
    this.anchorEventMs = options.startMs
    this.idleMs = (windowSeconds + this.latenessSeconds) * 1000
    this.tickMs = Math.max(50, Math.min(1000, (windowSeconds * 1000) / 4))
  }

  get counts(): Readonly<GuardCounts> {
    return this.engine.counts
  }

  /** Events without `flags` that arrive from now on are attributed with this state. */
  setFlagState(state: FlagState | null): void {
    this.engine.setFlagState(state)
  }

  /**
   * Watches until the source ends or `signal` aborts. A failure to store a window, or one
   * thrown by onWindow/onTrip, stops the watch and is thrown from here.
   */
  async run(source: GuardLineSource, signal?: AbortSignal): Promise<GuardWatchReport> {
    const stopOnAbort = (): void => this.internal.abort()
    if (signal?.aborted === true) this.internal.abort()
    signal?.addEventListener('abort', stopOnAbort, { once: true })
    this.anchorWallMs = this.options.clock.now().getTime()
    const stopTicker = (this.options.ticker ?? intervalTicker).every(this.tickMs, () => this.tick())
    try {
      for await (const batch of source(this.internal.signal)) {
        if (this.internal.signal.aborted) break
        const windows: GuardWindow[] = []
        for (const line of batch) this.engine.accept(parseLogLine(line.text, line.timestamp), windows)
        this.anchorEventMs = this.engine.watermark
        this.anchorWallMs = this.options.clock.now().getTime()
        if (windows.length > 0) this.enqueue(windows)
        // Wait for the windows to be stored before reading on: the log waits, memory does not grow.
        await this.queue
      }
      const aborted = this.internal.signal.aborted
      if (!aborted) {
        const last: GuardWindow[] = []
        this.engine.finish(last)
        if (last.length > 0) this.enqueue(last)
      }
      await this.queue
      if (this.failure !== null) throw this.failure.error
      return { counts: { ...this.engine.counts }, trips: this.recorder.trips, stopped: aborted ? 'aborted' : 'ended' }
    } finally {
      stopTicker()
      signal?.removeEventListener('abort', stopOnAbort)
      this.internal.abort()
    }
  }

  /** Silent service: move event time on by the wall time since the last line. */
  private tick(): void {
    if (this.failure !== null || this.internal.signal.aborted) return
    const idleMs = this.options.clock.now().getTime() - this.anchorWallMs
    if (idleMs < this.idleMs) return
    const windows: GuardWindow[] = []
    this.engine.advanceTo(this.anchorEventMs + idleMs, windows)
    if (windows.length > 0) this.enqueue(windows)
  }

  private enqueue(windows: GuardWindow[]): void {
    this.queue = this.queue.then(async () => {
      if (this.failure !== null) return
      try {
        for (const window of windows) await this.handle(window)
      } catch (error) {
        this.failure = { error }
        this.internal.abort()
      }
    })
  }

  private async handle(window: GuardWindow): Promise<void> {
    await this.recorder.record(window)
  }
}
