import type { FlagState } from '@shared/flag-state'
import { compileFlag, type FlagEvaluator, type FlagRules } from '@main/flags/core/flag-evaluation'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { decideWindow, type CohortFigures, type GuardDecision } from './guard-decision'
import type { ParsedLogLine } from './log-event'

/**
 * The guard engine (docs/design.md "Guards"): log events in, decided windows out, the same for
 * a replayed file and a live stream. Pure and clock-free: time is the events' own.
 *
 * Windows are tumbling, aligned to multiples of window_seconds since the epoch. A window stays
 * open while events for it may still arrive and closes once an event at least `lateness` past
 * its end has been seen; windows are decided strictly in time order, empty ones included.
 * An event for a window already decided is counted as late and left out. So an event never
 * more than `lateness` behind the newest one seen is never late, and a log shuffled within
 * that bound gives exactly the decisions of the sorted log. Memory holds only the open windows.
 * See docs/guards.md.
 */

export interface GuardWindow {
  windowStartMs: number
  windowSeconds: number
  treatment: CohortFigures
  control: CohortFigures
  /** API_CALL events of this window that belong to neither cohort (no `flags`, no user id, or no flag state). */
  unattributed: number
  decision: GuardDecision
  reasons: string[]
  /** Breaches in a row after this window (0 after a pass or a trip). */
  breachStreak: number
}

export interface GuardEngineConfig {
  flag: string
  /**
   * For events without `flags[flag]`: evaluated for the event's user at the event's time.
   * null: such events are unattributed.
   */
  flagState: FlagState | null
  /** Whose evaluation rules attribute such events: Unleash's for a flag kept in Unleash. Default Rampart's. */
  flagRules?: FlagRules
  settings: GuardThresholds
  /** How far behind the newest event an event may arrive and still count; default one window. */
  latenessSeconds?: number
  /**
   * Live watching: windows start at the window of this instant, and earlier events are late.
   * Without it (replay) they start at the earliest event's window.
   */
  firstWindowFromMs?: number
}

export interface GuardCounts {
  /** Lines handed in, parsed or not. */
  lines: number
  unparsed: number
  /** Events that arrived after their window was decided. */
  late: number
  /** API_CALL events counted in no cohort (see GuardWindow.unattributed). */
  unattributed: number
  /** Windows decided so far. */
  windows: number
}

/**
 * True for an API_CALL whose cohort only the flag state can tell: it names a user but does not say
 * what it was served (`flags[flag]`). Replay reads the workspace's flag state only once one comes.
 */
export function needsFlagState(line: ParsedLogLine, flag: string): boolean {
  if (line.kind === 'unparsed' || line.eventType !== 'API_CALL' || line.userId === null) return false
  const served = line.flags === null ? undefined : line.flags[flag]
  return served !== true && served !== false
}

/** A jump further ahead than this (about 70 days of one-minute windows) is a broken timestamp, not a gap. */
export const MAX_WINDOW_GAP = 100_000

const INITIAL_DURATIONS = 256

/** One cohort of one open window. */
class CohortTally {
  requests = 0
  failures = 0
  private durations = new Float64Array(INITIAL_DURATIONS)

  add(statusCode: number, durationMs: number): void {
    if (this.requests === this.durations.length) {
      const grown = new Float64Array(this.durations.length * 2)
      grown.set(this.durations)
      this.durations = grown
    }
    this.durations[this.requests] = durationMs
    this.requests += 1
    if (statusCode >= 500) this.failures += 1
  }

  figures(): CohortFigures {
    const requests = this.requests
    if (requests === 0) return { requests: 0, failures: 0, errorRate: null, p95Ms: null }
    const sorted = this.durations.subarray(0, requests).sort()
    // Nearest rank: the value at rank ⌈0.95·n⌉, computed in integers so 0.95·20 is exactly 19.
    const rank = Math.floor((95 * requests + 99) / 100)
    return { requests, failures: this.failures, errorRate: this.failures / requests, p95Ms: sorted[rank - 1]! }
  }

  reset(): void {
    this.requests = 0
    this.failures = 0
  }
}

class WindowTally {
  startMs = 0
  unattributed = 0
  readonly treatment = new CohortTally()
  readonly control = new CohortTally()

  reset(startMs: number): this {
    this.startMs = startMs
    this.unattributed = 0
    this.treatment.reset()
    this.control.reset()
    return this
  }
}

const EMPTY_FIGURES: CohortFigures = Object.freeze({ requests: 0, failures: 0, errorRate: null, p95Ms: null })

export class GuardEngine {
  private readonly flag: string
  private readonly settings: GuardThresholds
  private readonly windowMs: number
  private readonly latenessMs: number
  private evaluate: FlagEvaluator | null
  private readonly flagRules: FlagRules
  private readonly open = new Map<number, WindowTally>()
  private readonly spare: WindowTally[] = []
  private lastTally: WindowTally | null = null
  /** The next window to decide; null until the first event (replay) or from the start (live). */
  private nextStartMs: number | null = null
  /** Until a window is decided, an earlier event moves the first window back (replay only). */
  private firstWindowMovable: boolean
  /** The newest event time seen (or moved to by `advanceTo`). */
  private watermarkMs = -Infinity
  private breachStreak = 0
  private readonly tally: GuardCounts = { lines: 0, unparsed: 0, late: 0, unattributed: 0, windows: 0 }

  constructor(config: GuardEngineConfig) {
    this.flag = config.flag
    this.settings = config.settings
    this.windowMs = config.settings.window_seconds * 1000
    this.latenessMs = (config.latenessSeconds ?? config.settings.window_seconds) * 1000
    if (!(this.windowMs > 0)) throw new Error(`window_seconds must be positive, not ${config.settings.window_seconds}`)
    if (!(this.latenessMs >= 0)) throw new Error(`lateness must be 0 or more seconds, not ${config.latenessSeconds}`)
    this.flagRules = config.flagRules ?? 'rampart'
    this.evaluate = config.flagState === null ? null : compileFlag(config.flag, config.flagState, this.flagRules)
    this.firstWindowMovable = config.firstWindowFromMs === undefined
    if (config.firstWindowFromMs !== undefined) {
      this.nextStartMs = this.windowStartOf(config.firstWindowFromMs)
      this.watermarkMs = config.firstWindowFromMs
    }
  }

  get counts(): Readonly<GuardCounts> {
    return this.tally
  }

  /** The newest event time seen, or -Infinity. */
  get watermark(): number {
    return this.watermarkMs
  }

  /** From now on, events without `flags` are attributed with this state (a rollout moved). */
  setFlagState(state: FlagState | null): void {
    this.evaluate = state === null ? null : compileFlag(this.flag, state, this.flagRules)
  }

  /** One line, parsed; windows it closes are appended to `out` in time order. */
  accept(line: ParsedLogLine, out: GuardWindow[]): void {
    this.tally.lines += 1
    if (line.kind === 'unparsed') {
      this.tally.unparsed += 1
      return
    }
    const timestampMs = line.timestampMs
    const startMs = this.windowStartOf(timestampMs)
    if (
      this.watermarkMs !== -Infinity &&
      Math.abs(startMs - this.windowStartOf(this.watermarkMs)) > MAX_WINDOW_GAP * this.windowMs
    ) {
      // One broken timestamp must not decide a hundred thousand empty windows (and, ahead, make
      // every later event late): it is counted as unparsed instead.
      this.tally.unparsed += 1
      return
    }
    if (this.nextStartMs === null) {
      this.nextStartMs = startMs
    } else if (startMs < this.nextStartMs) {
      if (!this.firstWindowMovable) {
        if (line.eventType === 'API_CALL') this.tally.late += 1
        return
      }
      this.nextStartMs = startMs
    }

    if (line.eventType === 'API_CALL') {
      const tally = this.tallyFor(startMs)
      const treated = this.cohortOf(line.flags, line.userId, timestampMs)
      if (treated === null) {
        tally.unattributed += 1
        this.tally.unattributed += 1
      } else {
        // parseLogLine guarantees both fields on API_CALL.
        ;(treated ? tally.treatment : tally.control).add(line.statusCode!, line.durationMs!)
      }
    }

    if (timestampMs > this.watermarkMs) {
      this.watermarkMs = timestampMs
      this.closeDue(out)
    }
  }

  /**
   * Live only: event time has moved on to `watermarkMs` although no event says so (a silent
   * service), so windows due by then are decided, as holds when empty.
   */
  advanceTo(watermarkMs: number, out: GuardWindow[]): void {
    if (this.nextStartMs === null || !(watermarkMs > this.watermarkMs)) return
    this.watermarkMs = watermarkMs
    this.closeDue(out)
  }

  /** The input has ended: every window up to the newest event's is decided. */
  finish(out: GuardWindow[]): void {
    if (this.nextStartMs === null || this.watermarkMs === -Infinity) return
    const lastStartMs = this.windowStartOf(this.watermarkMs)
    while (this.nextStartMs <= lastStartMs) this.decideNext(out)
  }

  /** true: treatment, false: control, null: unattributed (docs/design.md "Guards": `flags` first, else evaluation). */
  private cohortOf(
    flags: Readonly<Record<string, unknown>> | null,
    userId: string | null,
    timestampMs: number
  ): boolean | null {
    const served = flags === null ? undefined : flags[this.flag]
    if (served === true || served === false) return served
    if (userId === null || this.evaluate === null) return null
    return this.evaluate(userId, timestampMs).enabled
  }

  private windowStartOf(timestampMs: number): number {
    return Math.floor(timestampMs / this.windowMs) * this.windowMs
  }

  private tallyFor(startMs: number): WindowTally {
    const last = this.lastTally
    if (last !== null && last.startMs === startMs) return last
    let tally = this.open.get(startMs)
    if (tally === undefined) {
      tally = (this.spare.pop() ?? new WindowTally()).reset(startMs)
      this.open.set(startMs, tally)
    }
    this.lastTally = tally
    return tally
  }

  private closeDue(out: GuardWindow[]): void {
    const dueBeforeMs = this.watermarkMs - this.latenessMs
    while (this.nextStartMs !== null && this.nextStartMs + this.windowMs <= dueBeforeMs) this.decideNext(out)
  }

  private decideNext(out: GuardWindow[]): void {
    const startMs = this.nextStartMs!
    const tally = this.open.get(startMs)
    const treatment = tally === undefined ? EMPTY_FIGURES : tally.treatment.figures()
    const control = tally === undefined ? EMPTY_FIGURES : tally.control.figures()
    const decided = decideWindow(treatment, control, this.settings, this.breachStreak)
    this.breachStreak = decided.breachStreak
    out.push({
      windowStartMs: startMs,
      windowSeconds: this.settings.window_seconds,
      treatment: treatment === EMPTY_FIGURES ? { ...EMPTY_FIGURES } : treatment,
      control: control === EMPTY_FIGURES ? { ...EMPTY_FIGURES } : control,
      unattributed: tally?.unattributed ?? 0,
      decision: decided.decision,
      reasons: decided.reasons,
      breachStreak: decided.breachStreak
    })
    if (tally !== undefined) {
      this.open.delete(startMs)
      if (this.lastTally === tally) this.lastTally = null
      this.spare.push(tally)
    }
    this.nextStartMs = startMs + this.windowMs
    this.firstWindowMovable = false
    this.tally.windows += 1
  }
}
