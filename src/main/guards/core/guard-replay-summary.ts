import type { GuardWindow } from './guard-engine'

/** The last line of `rampart guards replay` (docs/design.md "The command line"). */
export interface GuardReplaySummary {
  verdict: 'pass' | 'hold' | 'trip'
  /** The first window decided `trip`, epoch ms; null when none tripped. */
  firstTripWindowMs: number | null
  windows: number
  unparsedLines: number
}

/**
 * The verdict over all windows, kept as they are decided so that a replay holds no window in
 * memory: "trip" if any window tripped; else "pass" if any window had enough data (treatment
 * reached min_requests, so it was judged pass or breach); else "hold".
 */
export class GuardReplayTally {
  private windows = 0
  private firstTripWindowMs: number | null = null
  private judged = false

  add(window: GuardWindow): void {
    this.windows += 1
    if (window.decision === 'trip' && this.firstTripWindowMs === null) this.firstTripWindowMs = window.windowStartMs
    if (window.decision !== 'hold') this.judged = true
  }

  summary(unparsedLines: number): GuardReplaySummary {
    const verdict = this.firstTripWindowMs !== null ? 'trip' : this.judged ? 'pass' : 'hold'
    return { verdict, firstTripWindowMs: this.firstTripWindowMs, windows: this.windows, unparsedLines }
  }
}
