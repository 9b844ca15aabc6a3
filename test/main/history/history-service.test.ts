import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import { RampartError } from '@shared/errors'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'

let workspace: ServiceWorkspace
let context: AppContext

beforeEach(async () => {
  workspace = new ServiceWorkspace({ envText: seedEnvText(50) })
  context = await workspace.open()
})

afterEach(() => {
  workspace.cleanup()
})

/** A few real moves: back 50 → 25, a refused advance, a rollback and a kill, one minute apart. */
async function recordRollout(): Promise<void> {
  const rollout = context.services.rollout
  await rollout.move({ flag: FLAG, move: 'back', reason: 'p95 up | watch it' })
  workspace.clock.advanceSeconds(60)
  await rollout.move({ flag: FLAG, move: 'advance', reason: 'try again' }).catch(() => undefined)
  workspace.clock.advanceSeconds(60)
  await rollout.move({ flag: FLAG, move: 'rollback', reason: 'errors\nat 25' })
  workspace.clock.advanceSeconds(60)
  await rollout.move({ flag: FLAG, move: 'kill', reason: 'incident 4711' })
}

/** What someone with the sqlite3 shell could do: drop the append-only trigger and edit an event. */
function tamperWithEvent(seq: number): void {
  const db = new Database(context.historyPath)
  try {
    db.exec('DROP TRIGGER events_no_update')
    db.prepare("UPDATE events SET reason = 'nothing to see here' WHERE seq = ?").run(seq)
  } finally {
    db.close()
  }
}

describe('HistoryService', () => {
  it('lists events oldest first, filtered by flag and environment', async () => {
    await recordRollout()
    const events = context.services.history.list({ flag: FLAG, environment: 'local' })
    expect(events.map((event) => event.kind)).toEqual(['phase_move', 'refused', 'rollback', 'kill'])
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4])
    expect(context.services.history.list({ flag: 'other_flag' })).toEqual([])
    expect(context.services.history.list({ environment: 'staging' })).toEqual([])
  })

  it('gives the newest `limit` events, still oldest first', async () => {
    await recordRollout()
    expect(context.services.history.list({ limit: 2 }).map((event) => event.seq)).toEqual([3, 4])
  })

  it('lists only events after a seq', async () => {
    await recordRollout()
    expect(context.services.history.list({ afterSeq: 2 }).map((event) => event.seq)).toEqual([3, 4])
  })

  it('shows one event, and refuses a number it does not hold, naming the file', async () => {
    await recordRollout()
    expect(context.services.history.show(3).kind).toBe('rollback')
    let error: unknown
    try {
      context.services.history.show(99)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RampartError)
    expect((error as RampartError).code).toBe('bad_input')
    expect((error as RampartError).message).toBe(`No history event #99 in ${context.historyPath}`)
  })

  it('verifies an untouched chain and finds an edited event', async () => {
    await recordRollout()
    expect(context.services.history.verify()).toMatchObject({ ok: true, count: 4 })
    tamperWithEvent(2)
    const report = context.services.history.verify()
    expect(report.ok).toBe(false)
    if (report.ok) return
    expect(report.problems.some((problem) => problem.seq === 2 && problem.kind === 'edited')).toBe(true)
  })

  it('reports where the history file is and no warning for a healthy file', () => {
    expect(context.services.history.path).toBe(context.historyPath)
    expect(context.services.history.warning).toBeNull()
  })
})
