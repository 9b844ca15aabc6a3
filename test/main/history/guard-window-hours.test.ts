/**
 * The hourly rollup of guard windows against the windows themselves: whatever the range, the
 * review's counts, decisions and worst figures are those of exactly the windows in it, and a
 * chart of a long rollout keeps every breach and trip.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GuardWindowRecord } from '@shared/history-types'
import type { WindowSummary } from '@shared/review-types'
import { ScratchHistory } from '@test/fixtures/scratch-history'

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

const DECISIONS = ['pass', 'hold', 'breach', 'trip'] as const
const START = Date.parse('2025-11-03T10:00:00.000Z')
const WINDOW_MS = 7 * 60_000

function figure(window: GuardWindowRecord, cohort: 'treatment' | 'control', field: string): number | null {
  const value = (window.figures as Record<string, Record<string, unknown> | undefined>)[cohort]?.[field]
  return typeof value === 'number' ? value : null
}

function maxOf(values: Array<number | null>): number | null {
  const numbers = values.filter((value): value is number => value !== null)
  return numbers.length === 0 ? null : Math.max(...numbers)
}

/** The summary of a range computed the slow way, from every window in it. */
function summaryOf(windows: GuardWindowRecord[]): WindowSummary {
  const count = (decision: string): number => windows.filter((window) => window.decision === decision).length
  return {
    windows: windows.length,
    pass: count('pass'),
    hold: count('hold'),
    breach: count('breach'),
    trip: count('trip'),
    maxTreatmentErrorRate: maxOf(windows.map((window) => figure(window, 'treatment', 'error_rate'))),
    maxTreatmentP95Ms: maxOf(windows.map((window) => figure(window, 'treatment', 'p95_ms'))),
    first: windows[0]?.windowStart ?? null,
    last: windows.at(-1)?.windowStart ?? null
  }
}

describe('the hourly rollup of guard windows', () => {
  it('gives any range the counts and worst figures of exactly its windows', () => {
    const store = scratch.open()
    const windows = fc.sample(
      fc.record({
        decision: fc.constantFrom(...DECISIONS),
        errorRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        p95: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null })
      }),
      { numRuns: 200, seed: 11 }
    )
    windows.forEach((window, index) => {
      store.guardWindows.recordGuardWindow({
        flag: 'f',
        environment: 'staging',
        windowStart: new Date(START + index * WINDOW_MS).toISOString(),
        windowSeconds: 420,
        decision: window.decision,
        figures: {
          treatment: { error_rate: window.errorRate, p95_ms: window.p95 },
          control: { error_rate: 0.01, p95_ms: 100 }
        }
      })
    })
    // Another rollout's windows in the same hours never count.
    store.guardWindows.recordGuardWindow({
      flag: 'other',
      environment: 'staging',
      windowStart: new Date(START + WINDOW_MS).toISOString(),
      windowSeconds: 420,
      decision: 'trip',
      figures: { treatment: { error_rate: 1, p95_ms: 9999 }, control: {} }
    })
    const all = store.guardWindows.listGuardWindows('f', 'staging')
    const span = windows.length * WINDOW_MS

    fc.assert(
      fc.property(
        fc.integer({ min: -WINDOW_MS, max: span }),
        fc.option(fc.integer({ min: -WINDOW_MS, max: span + WINDOW_MS }), { nil: null }),
        (fromOffset, untilOffset) => {
          const from = new Date(START + fromOffset).toISOString()
          const until = untilOffset === null ? null : new Date(START + untilOffset).toISOString()
          const range = { flag: 'f', environment: 'staging', from, until }
          const inRange = all.filter(
            (window) => window.windowStart >= from && (until === null || window.windowStart <= until)
          )
          expect(store.guardWindows.windowSummary(range)).toEqual(summaryOf(inRange))
          expect(store.guardWindows.countWindows(range)).toBe(inRange.length)
        }
      ),
      { numRuns: 300, seed: 7 }
    )
    // Bounds not written as stored starts are (a date alone) are counted from the windows themselves.
    const dateOnly = { flag: 'f', environment: 'staging', from: '2025-11-03', until: '2025-11-04' }
    expect(store.guardWindows.windowSummary(dateOnly)).toEqual(
      summaryOf(all.filter((window) => window.windowStart >= '2025-11-03' && window.windowStart <= '2025-11-04'))
    )
  })

  it('charts a rollout of more hours than points from the rollup, keeping every breach and trip', () => {
    const store = scratch.open()
    const hours = 30
    for (let index = 0; index < hours * 6; index += 1) {
      const decision = index === 100 ? 'trip' : index === 40 ? 'breach' : 'pass'
      store.guardWindows.recordGuardWindow({
        flag: 'f',
        environment: 'staging',
        windowStart: new Date(START + index * 10 * 60_000).toISOString(),
        windowSeconds: 600,
        decision,
        figures: { treatment: { error_rate: decision === 'pass' ? 0.01 : 0.3, p95_ms: 100 + index }, control: {} }
      })
    }
    const range = { flag: 'f', environment: 'staging', from: new Date(START).toISOString(), until: null }

    const chart = store.guardWindows.chartPoints(range, 10)

    expect(chart.windows).toBe(hours * 6)
    expect(chart.points).toHaveLength(10)
    expect(chart.windowsPerPoint).toBe(18)
    // Windows 40 (hour 6) and 100 (hour 16): points 2 and 5 of three hours each.
    expect(chart.points.map((point) => point.severity)).toEqual([0, 0, 2, 0, 0, 3, 0, 0, 0, 0])
    expect(chart.points[2]?.treatmentErrorRate).toBe(0.3)
    expect(chart.points[9]?.treatmentP95Ms).toBe(100 + hours * 6 - 1)
    expect(chart.points[0]?.windowStart).toBe(new Date(START).toISOString())
  })

  it('rolls up the windows a file held before schema 4 when it is upgraded', () => {
    const before = scratch.open()
    for (let index = 0; index < 12; index += 1) {
      before.guardWindows.recordGuardWindow({
        flag: 'f',
        environment: 'staging',
        windowStart: new Date(START + index * 20 * 60_000).toISOString(),
        windowSeconds: 1200,
        decision: index === 5 ? 'breach' : 'pass',
        figures: { treatment: { error_rate: index / 100, p95_ms: 100 }, control: {} }
      })
    }
    before.close()
    const raw = scratch.raw()
    raw.exec('DROP TRIGGER guard_windows_roll_up; DROP TABLE guard_window_hours;')
    raw.pragma('user_version = 3')
    raw.close()

    const store = scratch.open()
    const range = { flag: 'f', environment: 'staging', from: '2025-11-03T10:30:00.000Z', until: null }
    expect(store.guardWindows.windowSummary(range)).toEqual(
      summaryOf(store.guardWindows.listGuardWindows('f', 'staging', { since: range.from }))
    )
    expect(store.guardWindows.windowSummary(range)).toMatchObject({ windows: 10, breach: 1 })
  })
})
