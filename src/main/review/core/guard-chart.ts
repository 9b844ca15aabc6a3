import type { AggregatedWindows, ChartThresholds, GuardChartPoint } from '@shared/review-types'

const DECISIONS: ReadonlyArray<GuardChartPoint['decision']> = ['pass', 'hold', 'breach', 'trip']

export function chartPointsOf(rows: readonly AggregatedWindows[]): GuardChartPoint[] {
  return rows.map((row) => ({
    startMs: Date.parse(row.windowStart),
    treatmentErrorRate: row.treatmentErrorRate,
    treatmentP95Ms: row.treatmentP95Ms,
    controlP95Ms: row.controlP95Ms,
    decision: DECISIONS[row.severity] ?? 'hold'
  }))
}

/** The thresholds a window was judged with, from its stored figures; null when it does not say. */
export function thresholdsOf(figures: unknown): ChartThresholds | null {
  const settings = (figures as { settings?: Record<string, unknown> } | null)?.settings
  const maxErrorRate = settings?.max_error_rate
  const maxLatencyDegradation = settings?.max_latency_degradation
  if (typeof maxErrorRate !== 'number' || typeof maxLatencyDegradation !== 'number') return null
  return { maxErrorRate, maxLatencyDegradation }
}

/** The latency limit at one point: control p95 × (1 + degradation), or null without a control p95. */
export function latencyLimitMs(point: GuardChartPoint, thresholds: ChartThresholds): number | null {
  return point.controlP95Ms === null ? null : point.controlP95Ms * (1 + thresholds.maxLatencyDegradation)
}
