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
})
