import { describe, expect, it } from 'vitest'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { decideWindow, type CohortFigures } from '@main/guards/core/guard-decision'

const SETTINGS: GuardThresholds = {
  window_seconds: 60,
  min_requests: 100,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}

function cohort(requests: number, failures: number, p95Ms: number): CohortFigures {
  return {
    requests,
    failures,
    errorRate: requests === 0 ? null : failures / requests,
    p95Ms: requests === 0 ? null : p95Ms
  }
}

describe('decideWindow', () => {
  it('holds below min_requests and leaves the breach count as it was', () => {
    expect(decideWindow(cohort(99, 99, 5000), cohort(1000, 0, 10), SETTINGS, 1)).toEqual({
      decision: 'hold',
      reasons: ['treatment 99 requests < min_requests 100'],
      breachStreak: 1
    })
  })

  it('passes an error rate exactly at the limit and breaches just above it', () => {
    expect(decideWindow(cohort(100, 5, 100), cohort(100, 0, 100), SETTINGS, 0).decision).toBe('pass')
    const above = decideWindow(cohort(1000, 51, 100), cohort(100, 0, 100), SETTINGS, 0)
    expect(above.decision).toBe('breach')
    expect(above.reasons).toEqual(['treatment error rate 0.051 > 0.05', 'breach 1 of 2 in a row'])
  })

  it('never shows a rate rounded onto the limit it exceeds', () => {
    const decided = decideWindow(cohort(1_000_000, 50_001, 100), cohort(0, 0, 0), SETTINGS, 0)
    expect(decided.reasons[0]).toBe('treatment error rate 0.050001 > 0.05')
  })

  it('passes a p95 exactly at the allowed degradation and breaches above it', () => {
    const at = decideWindow(cohort(100, 0, 300), cohort(100, 0, 200), SETTINGS, 0)
    expect(at).toEqual({
      decision: 'pass',
      reasons: ['treatment error rate 0 ≤ 0.05', 'treatment p95 300 ms ≤ 1.5 × control p95 200 ms'],
      breachStreak: 0
    })
    const above = decideWindow(cohort(100, 0, 480), cohort(100, 0, 200), SETTINGS, 0)
    expect(above.reasons[0]).toBe('treatment p95 480 ms > 1.5 × control p95 200 ms')
  })

  it('reports both rules when both are broken', () => {
    const decided = decideWindow(cohort(200, 40, 900), cohort(300, 0, 200), SETTINGS, 0)
    expect(decided.reasons.slice(0, 2)).toEqual([
      'treatment error rate 0.2 > 0.05',
      'treatment p95 900 ms > 1.5 × control p95 200 ms'
    ])
  })

  it('trips on the breach that reaches breach_windows and starts the count again', () => {
    expect(decideWindow(cohort(100, 50, 1), cohort(0, 0, 0), SETTINGS, 1)).toEqual({
      decision: 'trip',
      reasons: ['treatment error rate 0.5 > 0.05', '2 breaches in a row (breach_windows 2): trip'],
      breachStreak: 0
    })
  })

  it('trips on the first breach when breach_windows is 1', () => {
    expect(decideWindow(cohort(100, 50, 1), cohort(0, 0, 0), { ...SETTINGS, breach_windows: 1 }, 0).decision).toBe(
      'trip'
    )
  })

  it('resets the count on a pass', () => {
    expect(decideWindow(cohort(100, 0, 1), cohort(0, 0, 0), SETTINGS, 1).breachStreak).toBe(0)
  })
})

describe('decideWindow reasons', () => {
  it('shows durations to two decimals where that keeps the comparison true', () => {
    const decided = decideWindow(cohort(100, 0, 480.123456), cohort(100, 0, 200.987654), SETTINGS, 0)
    expect(decided.reasons[0]).toBe('treatment p95 480.12 ms > 1.5 × control p95 200.99 ms')
  })

  it('shows durations in full where rounding would make the comparison read the wrong way', () => {
    const decided = decideWindow(cohort(100, 0, 300.001), cohort(100, 0, 200), SETTINGS, 0)
    expect(decided.reasons[0]).toBe('treatment p95 300.001 ms > 1.5 × control p95 200 ms')
  })
})
