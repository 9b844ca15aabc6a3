import type { GuardChartView } from '@shared/review-types'
import { latencyLimitMs, type ChartPoint } from '@renderer/guards/chart-points'

// A lone point has no neighbour to measure its span by: the guards' default window.
const LONE_POINT_SPAN_MS = 60_000

/**
 * A rollout's chart from the history file as the guard chart draws it: each point already holds
 * the worst figures and decision of its windows (main downsampled them), and is judged by the
 * rollout's thresholds. A point spans until the next one starts, so a trip band covers the whole
 * stretch of windows it stands for.
 */
export function reviewChartPoints(chart: GuardChartView): ChartPoint[] {
  const { points, thresholds } = chart
  return points.map((point, index) => {
    const next = points[index + 1]
    const previous = points[index - 1]
    const spanMs =
      next !== undefined
        ? next.startMs - point.startMs
        : previous !== undefined
          ? point.startMs - previous.startMs
          : LONE_POINT_SPAN_MS
    return {
      startMs: point.startMs,
      spanMs,
      treatmentErrorRate: point.treatmentErrorRate,
      controlErrorRate: null,
      errorRateLimit: thresholds?.maxErrorRate ?? null,
      treatmentP95Ms: point.treatmentP95Ms,
      controlP95Ms: point.controlP95Ms,
      p95LimitMs: latencyLimitMs(point.controlP95Ms, thresholds?.maxLatencyDegradation ?? null),
      decision: point.decision
    }
  })
}
