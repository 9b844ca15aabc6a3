import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ScratchHistory } from '@test/fixtures/scratch-history'

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

describe('GuardWindowRecords', () => {
  it('records guard windows and lists them in window order', () => {
    const store = scratch.open()
    const figures = { treatment: { requests: 120, failures: 3 }, control: { requests: 80, failures: 1 } }
    const window = { flag: 'f', environment: 'staging', windowSeconds: 60 }
    store.guardWindows.recordGuardWindow({
      ...window,
      windowStart: '2025-11-03T12:01:00.000Z',
      decision: 'hold',
      figures: {}
    })
    const first = store.guardWindows.recordGuardWindow({
      ...window,
      windowStart: '2025-11-03T12:00:00.000Z',
      decision: 'pass',
      figures
    })

    const windows = store.guardWindows.listGuardWindows('f', 'staging')
    expect(windows.map((window) => window.decision)).toEqual(['pass', 'hold'])
    expect(windows[0]).toEqual(first)
    expect(windows[0]?.figures).toEqual(figures)
  })

  it(
    'lists a rollout’s windows from an instant on, ' +
      'and names its newest window’s start, leaving other rollouts out',
    () => {
      const store = scratch.open()
      const window = { flag: 'f', environment: 'staging', windowSeconds: 60, decision: 'pass', figures: {} }
      for (const minute of ['03', '01', '02', '00'])
        store.guardWindows.recordGuardWindow({ ...window, windowStart: `2025-11-03T12:${minute}:00.000Z` })
      store.guardWindows.recordGuardWindow({
        ...window,
        environment: 'production',
        windowStart: '2025-11-03T12:09:00.000Z'
      })
      store.guardWindows.recordGuardWindow({ ...window, flag: 'g', windowStart: '2025-11-03T12:08:00.000Z' })

      expect(
        store.guardWindows
          .listGuardWindows('f', 'staging', { since: '2025-11-03T12:01:00.000Z' })
          .map((found) => found.windowStart)
      ).toEqual(['2025-11-03T12:01:00.000Z', '2025-11-03T12:02:00.000Z', '2025-11-03T12:03:00.000Z'])
      expect(store.guardWindows.listGuardWindows('f', 'staging', { since: '2025-11-03T12:03:00.001Z' })).toEqual([])
      expect(store.guardWindows.latestGuardWindowStart('f', 'staging')).toBe('2025-11-03T12:03:00.000Z')
      expect(store.guardWindows.latestGuardWindowStart('f', 'nowhere')).toBeNull()
    }
  )

  it('reads a rollout’s newest window within a range, and none for a range without windows', () => {
    const store = scratch.open()
    const window = { flag: 'f', environment: 'staging', windowSeconds: 60, figures: {} }
    for (const [minute, decision] of [
      ['00', 'pass'],
      ['02', 'breach'],
      ['01', 'hold'],
      ['05', 'trip']
    ] as const)
      store.guardWindows.recordGuardWindow({ ...window, decision, windowStart: `2025-11-03T12:${minute}:00.000Z` })
    store.guardWindows.recordGuardWindow({
      ...window,
      flag: 'g',
      decision: 'pass',
      windowStart: '2025-11-03T12:04:00.000Z'
    })
    const range = { flag: 'f', environment: 'staging', from: '2025-11-03T12:00:00.000Z' }

    expect(store.guardWindows.newestWindow({ ...range, until: '2025-11-03T12:04:00.000Z' })?.decision).toBe('breach')
    expect(store.guardWindows.newestWindow({ ...range, until: null })?.windowStart).toBe('2025-11-03T12:05:00.000Z')
    expect(store.guardWindows.newestWindow({ ...range, flag: 'nothing', until: null })).toBeNull()
  })

  it('fills in the chart figures of windows stored before schema 3 when the file is upgraded', () => {
    scratch.open().close()
    const raw = scratch.raw()
    // The file as schema 2 left it: figures only in the JSON, and the old index.
    raw.exec(`
      DROP TRIGGER guard_windows_roll_up;
      DROP TABLE guard_window_hours;
      DROP INDEX guard_windows_chart;
      ALTER TABLE guard_windows DROP COLUMN treatment_error_rate;
      ALTER TABLE guard_windows DROP COLUMN treatment_p95_ms;
      ALTER TABLE guard_windows DROP COLUMN control_p95_ms;
      CREATE INDEX guard_windows_by_rollout ON guard_windows (flag, environment, window_start);
    `)
    raw
      .prepare(
        `INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at)
         VALUES ('f', 'staging', '2025-11-03T12:00:00.000Z', 60, 'breach', ?, '2025-11-03T12:01:00.000Z')`
      )
      .run(JSON.stringify({ treatment: { error_rate: 0.2, p95_ms: 180 }, control: { error_rate: 0.01, p95_ms: 120 } }))
    raw.pragma('user_version = 2')
    raw.close()

    const store = scratch.open()
    const range = { flag: 'f', environment: 'staging', from: '2025-11-03T00:00:00.000Z', until: null }
    expect(store.guardWindows.chartPoints(range, 10).points).toEqual([
      {
        windowStart: '2025-11-03T12:00:00.000Z',
        treatmentErrorRate: 0.2,
        treatmentP95Ms: 180,
        controlP95Ms: 120,
        severity: 2
      }
    ])
  })
})
