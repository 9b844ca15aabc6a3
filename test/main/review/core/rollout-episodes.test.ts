import { describe, expect, it } from 'vitest'
import { rolloutEpisodes } from '@main/review/core/rollout-episodes'
import type { HistoryEvent } from '@shared/history-types'

let seq = 0

function event(kind: HistoryEvent['kind'], fields: Partial<HistoryEvent> = {}): HistoryEvent {
  seq += 1
  return {
    seq,
    at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    kind,
    actor: 'alice',
    flag: 'unified_llm_hub',
    environment: 'staging',
    reason: null,
    fromState: null,
    toState: null,
    guardSnapshot: null,
    outcome: 'applied',
    detail: null,
    prevHash: '',
    hash: '',
    ...fields
  }
}

const state = (rollout_percentage: number, enabled = true) => ({ enabled, rollout_percentage })
const move = (from: number, to: number, actor = 'alice') =>
  event('phase_move', { fromState: state(from), toState: state(to), actor })

describe('rolloutEpisodes', () => {
  it('runs a rollout from its first advance to 100 %: completed, highest phase 100, who moved it', () => {
    const events = [move(0, 10), move(10, 25, 'bob'), move(25, 50), move(50, 100, 'bob')]
    const [episode, ...rest] = rolloutEpisodes(events)
    expect(rest).toEqual([])
    expect(episode!.summary).toMatchObject({
      id: events[0]!.seq,
      outcome: 'completed',
      highestPhase: 100,
      actors: ['alice', 'bob'],
      startedAt: events[0]!.at,
      endedAt: events[3]!.at,
      events: 4
    })
  })

  it('ends a rollout at a rollback and starts the next at the next move', () => {
    const events = [
      move(0, 10),
      move(10, 25),
      event('guard_trip', { actor: 'rampart', outcome: 'tripped' }),
      event('rollback', { actor: 'rampart', fromState: state(25), toState: state(0) }),
      event('notification', { actor: 'rampart', outcome: 'nobody_notified' }),
      move(0, 10, 'carol')
    ]
    const episodes = rolloutEpisodes(events)
    expect(episodes.map((episode) => [episode.summary.outcome, episode.summary.events])).toEqual([
      ['rolled_back', 5],
      ['in_progress', 1]
    ])
    expect(episodes[0]!.summary).toMatchObject({ trips: 1, highestPhase: 25, actors: ['alice', 'rampart'] })
    expect(episodes[1]!.summary).toMatchObject({ endedAt: null, actors: ['carol'] })
  })

  it('keeps an emergency rollback’s tail with the rollout it killed, time to safe included', () => {
    const events = [
      move(10, 25),
      event('kill', { outcome: 'intent' }),
      event('kill', { fromState: state(25), toState: state(25, false) }),
      event('kill', { outcome: 'verified_safe', detail: { timeToSafeMs: 1234 } }),
      event('enable', { fromState: state(25, false), toState: state(0) })
    ]
    const episodes = rolloutEpisodes(events)
    expect(episodes.map((episode) => [episode.summary.outcome, episode.summary.events])).toEqual([
      ['killed', 4],
      ['in_progress', 1]
    ])
    expect(episodes[0]!.summary.timeToSafeMs).toBe(1234)
  })

  it('does not let a refused or failed move end or start a rollout', () => {
    const events = [
      move(10, 25),
      event('phase_move', { outcome: 'refused', fromState: state(25), toState: state(100) }),
      event('kill', { outcome: 'failed' })
    ]
    const episodes = rolloutEpisodes(events)
    expect(episodes.map((episode) => episode.summary.outcome)).toEqual(['in_progress'])
    expect(episodes[0]!.summary.events).toBe(3)
  })

  it('lists a recorded replay as a rollout of its own', () => {
    const events = [move(0, 10), event('replay', { environment: 'replay:abc', outcome: 'trip' }), move(10, 25)]
    expect(rolloutEpisodes(events).map((episode) => episode.summary.outcome)).toEqual([
      'in_progress',
      'replayed',
      'in_progress'
    ])
  })
})
