import { describe, expect, it } from 'vitest'
import { supervisionSummary } from '@main/guards/core/supervision-summary'
import type { AttentionLevel, FlagWatchView } from '@shared/supervision-types'

function watch(flag: string, environment: string, attention: AttentionLevel): FlagWatchView {
  return {
    environment,
    flag,
    state: 'watching',
    message: 'watching',
    since: '2026-01-01T00:00:00.000Z',
    holder: null,
    container: 'svc',
    settings: null,
    latestWindow: null,
    attention
  }
}

describe('supervisionSummary', () => {
  it('is quiet when nothing needs attention, or nothing is watched', () => {
    expect(supervisionSummary([])).toEqual({ worst: 'ok', title: 'All guards quiet' })
    expect(supervisionSummary([watch('a', 'local', 'ok')])).toEqual({ worst: 'ok', title: 'All guards quiet' })
  })

  it('names the worst state and its flag: a failed action over a trip over a breach over an unwatched flag', () => {
    const watches = [
      watch('a', 'local', 'unwatched'),
      watch('b', 'local', 'breach'),
      watch('c', 'staging', 'trip'),
      watch('d', 'staging', 'action_failed')
    ]
    expect(supervisionSummary(watches)).toEqual({ worst: 'action_failed', title: 'ACTION FAILED d (staging)' })
    expect(supervisionSummary(watches.slice(0, 3)).title).toBe('TRIP c (staging)')
    expect(supervisionSummary(watches.slice(0, 2)).title).toBe('BREACH b (local)')
    expect(supervisionSummary(watches.slice(0, 1)).title).toBe('UNWATCHED a (local)')
  })

  it('counts the other flags in the same state', () => {
    const watches = [watch('a', 'local', 'trip'), watch('b', 'staging', 'trip'), watch('c', 'local', 'trip')]
    expect(supervisionSummary(watches).title).toBe('TRIP a (local) + 2 more')
  })
})
