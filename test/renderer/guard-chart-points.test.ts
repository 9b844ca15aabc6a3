/**
 * The guard chart's points, as the live Rollout panel hands them to uPlot: plain functions of the
 * renderer, tested under node (no DOM). The canvas itself is checked end to end in Chromium.
 */
import { describe, expect, it } from 'vitest'
import {
  axisTimeText,
  decisionCounts,
  latencyLimitMs,
  liveChartPoints,
  type ChartPoint
} from '@renderer/guards/chart-points'
import { guardWindowRow } from '@renderer/guards/guard-window-row'

const START = Date.UTC(2025, 10, 3, 9, 0, 0)

describe('live chart points', () => {
  it('carry each window’s figures, its span and the limits it was judged by', () => {
    const row = guardWindowRow({
      id: 7,
      flag: 'f',
      environment: 'local',
      windowStart: new Date(START).toISOString(),
      windowSeconds: 60,
      decision: 'breach',
      recordedAt: new Date(START + 90_000).toISOString(),
      figures: {
        treatment: { requests: 400, error_rate: 0.09, p95_ms: 210 },
        control: { requests: 3600, error_rate: 0.01, p95_ms: 140 },
        reasons: ['treatment error rate 9.0 %'],
        settings: { max_error_rate: 0.05, max_latency_degradation: 0.5 }
      }
    })
    expect(liveChartPoints([row])).toEqual([
      {
        startMs: START,
        spanMs: 60_000,
        treatmentErrorRate: 0.09,
        controlErrorRate: 0.01,
        errorRateLimit: 0.05,
        treatmentP95Ms: 210,
        controlP95Ms: 140,
        p95LimitMs: 210,
        decision: 'breach'
      }
    ])
  })

  it('count their breaches and trips, said in words beside the chart', () => {
    const at = (decision: string): ChartPoint => ({
      startMs: START,
      spanMs: 60_000,
      treatmentErrorRate: null,
      controlErrorRate: null,
      errorRateLimit: null,
      treatmentP95Ms: null,
      controlP95Ms: null,
      p95LimitMs: null,
      decision
    })
    expect(decisionCounts([])).toEqual({ breach: 0, trip: 0 })
    expect(decisionCounts(['pass', 'breach', 'trip', 'breach', 'hold'].map(at))).toEqual({ breach: 2, trip: 1 })
  })

  it('have no latency limit without a control p95 or a degradation', () => {
    expect(latencyLimitMs(null, 0.5)).toBeNull()
    expect(latencyLimitMs(100, null)).toBeNull()
    expect(latencyLimitMs(100, 0.25)).toBe(125)
  })
})

describe('the time axis', () => {
  it('shows the clock time within a day, and the date past a day', () => {
    const seconds = START / 1000
    expect(axisTimeText(seconds, 3600)).toMatch(/^\d{2}:\d{2}:\d{2}$/)
    expect(axisTimeText(seconds, 3 * 86_400)).toMatch(/^\d{2}-\d{2} \d{2}:\d{2}$/)
  })
})
