import type { GuardWindowRecord, JsonValue } from '@shared/history-types'

/** One cohort of a window as the console shows it; null where main had no figure (no requests). */
export interface CohortRow {
  requests: number | null
  errorRate: number | null
  p95Ms: number | null
}

/** A decided guard window, read out of the stored record's figures. */
export interface GuardWindowRow {
  id: number
  windowStart: string
  windowSeconds: number
  decision: string
  reasons: string[]
  treatment: CohortRow
  control: CohortRow
  /** The thresholds main judged this window with (stored with it), for the chart's limit lines. */
  limits: { maxErrorRate: number | null; maxLatencyDegradation: number | null }
}

/**
 * The figures of a stored window come over the contract as plain JSON (the history file keeps
 * whatever the guard engine saw), so each field is read defensively: a missing or odd field
 * shows as "—" instead of breaking the page.
 */
export function guardWindowRow(record: GuardWindowRecord): GuardWindowRow {
  const figures = asRecord(record.figures)
  const reasons = figures?.reasons
  return {
    id: record.id,
    windowStart: record.windowStart,
    windowSeconds: record.windowSeconds,
    decision: record.decision,
    reasons: Array.isArray(reasons) ? reasons.filter((reason): reason is string => typeof reason === 'string') : [],
    treatment: cohortRow(figures?.treatment),
    control: cohortRow(figures?.control),
    limits: limitsOf(figures?.settings)
  }
}

function limitsOf(value: JsonValue | undefined): GuardWindowRow['limits'] {
  const settings = asRecord(value ?? null)
  return {
    maxErrorRate: numberOrNull(settings?.max_error_rate),
    maxLatencyDegradation: numberOrNull(settings?.max_latency_degradation)
  }
}

function cohortRow(value: JsonValue | undefined): CohortRow {
  const cohort = asRecord(value ?? null)
  return {
    requests: numberOrNull(cohort?.requests),
    errorRate: numberOrNull(cohort?.error_rate),
    p95Ms: numberOrNull(cohort?.p95_ms)
  }
}

function asRecord(value: JsonValue): Record<string, JsonValue> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null
}

function numberOrNull(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
