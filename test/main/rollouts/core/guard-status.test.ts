import { describe, expect, it } from 'vitest'
import { judgedWithThresholds, summarizeGuardWindows, type JudgedWindow } from '@main/rollouts/core/guard-status'

const at = (minute: number): number => Date.parse('2026-01-01T00:00:00Z') + minute * 60_000
const window = (minute: number, decision: JudgedWindow['decision']): JudgedWindow => ({
  windowStartEpochMs: at(minute),
  decision
})

describe('summarizeGuardWindows', () => {
  it('has no verdict without windows', () => {
    expect(summarizeGuardWindows([], null)).toEqual({
      verdict: 'none',
      tripped: false,
      breached: false,
      passSinceEpochMs: null
    })
  })

  it('passes on a latest pass and says since when the passes run', () => {
    const summary = summarizeGuardWindows([window(0, 'hold'), window(1, 'pass'), window(2, 'pass')], null)
    expect(summary).toEqual({ verdict: 'pass', tripped: false, breached: false, passSinceEpochMs: at(1) })
  })

  it('reads a breach that has not tripped as hold, never as pass', () => {
    expect(summarizeGuardWindows([window(0, 'pass'), window(1, 'breach')], null).verdict).toBe('hold')
  })

  it('remembers a breach anywhere in the phase, for the gate out of 0 %, even after holds and passes', () => {
    expect(summarizeGuardWindows([window(0, 'hold'), window(1, 'breach'), window(2, 'pass')], null).breached).toBe(true)
    expect(summarizeGuardWindows([window(0, 'hold'), window(1, 'hold')], null).breached).toBe(false)
    expect(summarizeGuardWindows([window(0, 'breach'), window(5, 'hold')], at(5)).breached).toBe(false)
  })

  it('stays tripped after a trip in the phase, even when later windows pass', () => {
    const summary = summarizeGuardWindows([window(0, 'trip'), window(1, 'pass')], null)
    expect(summary.verdict).toBe('trip')
    expect(summary.tripped).toBe(true)
  })

  it('ignores windows from before the phase started', () => {
    const summary = summarizeGuardWindows([window(0, 'trip'), window(5, 'pass')], at(5))
    expect(summary).toEqual({ verdict: 'pass', tripped: false, breached: false, passSinceEpochMs: at(5) })
  })
})

describe('judgedWithThresholds', () => {
  const environment = {
    window_seconds: 60,
    min_requests: 100,
    max_error_rate: 0.05,
    max_latency_degradation: 0.5,
    breach_windows: 2
  }

  it('counts a window judged with the environment’s thresholds', () => {
    expect(judgedWithThresholds({ settings: { ...environment, lateness_seconds: 60 } }, environment)).toBe(true)
  })

  it('does not count a window judged with looser thresholds', () => {
    expect(judgedWithThresholds({ settings: { ...environment, max_error_rate: 0.5 } }, environment)).toBe(false)
    expect(judgedWithThresholds({ settings: { ...environment, min_requests: 1 } }, environment)).toBe(false)
  })

  it('takes a window that does not name its thresholds at its word', () => {
    expect(judgedWithThresholds({}, environment)).toBe(true)
    expect(judgedWithThresholds(null, environment)).toBe(true)
  })
})
