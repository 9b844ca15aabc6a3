import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { phaseMove, ScratchHistory } from '@test/fixtures/scratch-history'

const FIXED_NOW = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

describe('RolloutRecords', () => {
  it('keeps one current state per rollout and returns it with its own events', () => {
    let now = FIXED_NOW
    const store = scratch.open(undefined, () => now)
    store.rollouts.upsertRollout({ flag: 'unified_llm_hub', environment: 'staging', state: { phase: 10 } })
    now = new Date(FIXED_NOW.getTime() + 60_000)
    const updated = store.rollouts.upsertRollout({
      flag: 'unified_llm_hub',
      environment: 'staging',
      state: { phase: 25 }
    })
    store.rollouts.upsertRollout({ flag: 'unified_llm_hub', environment: 'production', state: { phase: 0 } })
    store.events.appendEvent(phaseMove())
    store.events.appendEvent(phaseMove({ environment: 'production' }))

    expect(updated).toEqual({
      flag: 'unified_llm_hub',
      environment: 'staging',
      createdAt: FIXED_NOW.toISOString(),
      updatedAt: now.toISOString(),
      state: { phase: 25 }
    })
    expect(store.rollouts.listRollouts().map((rollout) => rollout.environment)).toEqual(['production', 'staging'])
    const staging = store.rollouts.getRollout('unified_llm_hub', 'staging')
    expect(staging?.rollout.state).toEqual({ phase: 25 })
    expect(staging?.events.map((event) => event.seq)).toEqual([1])
    expect(store.rollouts.getRollout('unified_llm_hub', 'nowhere')).toBeUndefined()
  })

  it('reads a rollout’s record without its events', () => {
    const store = scratch.open()
    store.rollouts.upsertRollout({ flag: 'f', environment: 'staging', state: { phase: 10 } })
    expect(store.rollouts.getRolloutRecord('f', 'staging')).toMatchObject({
      flag: 'f',
      environment: 'staging',
      state: { phase: 10 }
    })
    expect(store.rollouts.getRolloutRecord('f', 'production')).toBeUndefined()
  })
})
