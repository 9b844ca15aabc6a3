import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { phaseMove, ScratchHistory } from '@test/fixtures/scratch-history'

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

describe('HistoryStore', () => {
  it('names the file it opened and says nothing about a healthy one', () => {
    const store = scratch.open()
    expect(store.path).toBe(scratch.file)
    expect(store.recoveredFrom).toBeUndefined()
    expect(store.warning).toBeUndefined()
  })

  it('shares one connection among its records: an interrupted operation and its event are written together', () => {
    const store = scratch.open()
    const { id } = store.operations.startDbOperation({
      kind: 'migrate',
      environment: 'local',
      database: 'db',
      actor: 'dev'
    })
    store.events.appendEvent(phaseMove())
    expect(store.operations.interruptDbOperation(id, 'its process is gone', 'rampart')).toMatchObject({
      id,
      status: 'interrupted'
    })
    expect(store.events.listEvents().map((event) => event.kind)).toEqual(['phase_move', 'db_operation'])
    expect(store.events.verify()).toMatchObject({ ok: true, count: 2 })
  })

  it('closes the file for every record at once, and a second close does nothing', () => {
    const store = scratch.open()
    store.close()
    const reads = [
      () => store.events.listEvents(),
      () => store.rollouts.listRollouts(),
      () => store.guardWindows.latestGuardWindowStart('f', 'staging'),
      () => store.runbooks.list(),
      () => store.operations.listDbOperations()
    ]
    for (const read of reads) expect(read).toThrow(/not open/)
    expect(() => store.close()).not.toThrow()
  })
})
