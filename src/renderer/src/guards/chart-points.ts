import type { GuardWindowRow } from './guard-window-row'
import { clockTimeText } from './clock-time-text'

/**
 * One point of a guard chart: a window (live) or a bucket of neighbouring windows (review), with
 * the limits it was judged by. A bucket carries the worst figures and decision of its windows.
 */
export interface ChartPoint {
  startMs: number
  /** What it covers: a breach or trip band is drawn over the whole span. */
  spanMs: number
  treatmentErrorRate: number | null
  /** Null where the source has none (a review bucket keeps only the treatment's worst rate). */
  controlErrorRate: number | null
  errorRateLimit: number | null
  treatmentP95Ms: number | null
  controlP95Ms: number | null
  /** Control p95 × (1 + max_latency_degradation). */
  p95LimitMs: number | null
  decision: string
}

/** The live windows as chart points, each with the limits it was judged by. */
export function liveChartPoints(windows: readonly GuardWindowRow[]): ChartPoint[] {
  return windows.map((window) => ({
    startMs: Date.parse(window.windowStart),
    spanMs: window.windowSeconds * 1000,
    treatmentErrorRate: window.treatment.errorRate,
    controlErrorRate: window.control.errorRate,
    errorRateLimit: window.limits.maxErrorRate,
    treatmentP95Ms: window.treatment.p95Ms,
    controlP95Ms: window.control.p95Ms,
    p95LimitMs: latencyLimitMs(window.control.p95Ms, window.limits.maxLatencyDegradation),
    decision: window.decision
  }))
}

/** The p95 the treatment may reach: control p95 × (1 + max_latency_degradation); null without either. */
export function latencyLimitMs(controlP95Ms: number | null, degradation: number | null): number | null {
  return controlP95Ms === null || degradation === null ? null : controlP95Ms * (1 + degradation)
}

/** How many points are breaches and trips: said in words beside the chart. */
export function decisionCounts(points: readonly ChartPoint[]): { breach: number; trip: number } {
  let breach = 0
  let trip = 0
  for (const point of points) {
    if (point.decision === 'breach') breach += 1
    else if (point.decision === 'trip') trip += 1
  }
  return { breach, trip }
}

const DAY_SECONDS = 86_400

/**
 * A time axis label: the wall-clock time while the chart spans less than a day, else the date
 * and the time to the minute ("11-03 09:12"), so a week-long rollout's ticks can be told apart.
 */
export function axisTimeText(seconds: number, rangeSeconds: number): string {
  const iso = new Date(seconds * 1000).toISOString()
  if (rangeSeconds < DAY_SECONDS) return clockTimeText(iso)
  const at = new Date(seconds * 1000)
  const two = (value: number) => String(value).padStart(2, '0')
  return `${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`
}
