import type { CohortFigures, GuardDecision } from './guard-decision'
import type { GuardWindow } from './guard-engine'
import type { GuardReplaySummary } from './guard-replay-summary'

/**
 * The JSON lines of `rampart guards replay --json`, a contract other tools read (docs/design.md
 * "The command line"): the field names and their order are fixed here and nowhere else.
 */

interface CohortFiguresJson {
  requests: number
  failures: number
  error_rate: number | null
  p95_ms: number | null
}

export interface GuardWindowJson {
  window_start: string
  treatment: CohortFiguresJson
  control: CohortFiguresJson
  decision: GuardDecision
  reasons: string[]
}

export interface GuardSummaryJson {
  verdict: GuardReplaySummary['verdict']
  first_trip_window: string | null
  windows: number
  unparsed_lines: number
}

/** One window as the contract names it; keys are created in the contract's order. */
export function guardWindowJson(window: GuardWindow): GuardWindowJson {
  return {
    window_start: new Date(window.windowStartMs).toISOString(),
    treatment: cohortJson(window.treatment),
    control: cohortJson(window.control),
    decision: window.decision,
    reasons: window.reasons
  }
}

export function formatGuardWindowLine(window: GuardWindow): string {
  return JSON.stringify(guardWindowJson(window))
}

export function guardSummaryJson(summary: GuardReplaySummary): GuardSummaryJson {
  return {
    verdict: summary.verdict,
    first_trip_window: summary.firstTripWindowMs === null ? null : new Date(summary.firstTripWindowMs).toISOString(),
    windows: summary.windows,
    unparsed_lines: summary.unparsedLines
  }
}

export function formatGuardSummaryLine(summary: GuardReplaySummary): string {
  return JSON.stringify(guardSummaryJson(summary))
}

function cohortJson(figures: CohortFigures): CohortFiguresJson {
  return {
    requests: figures.requests,
    failures: figures.failures,
    error_rate: figures.errorRate,
    p95_ms: figures.p95Ms
  }
}
