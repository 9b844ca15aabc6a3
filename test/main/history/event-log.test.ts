import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventFilter } from '@main/history/event-log'
import { HistoryStore } from '@main/history/history-store'
import type { ChainReport } from '@shared/history-types'
import { caught, phaseMove, ScratchHistory } from '@test/fixtures/scratch-history'
import { tsxChildEnv } from '@test/support/tsx-child'

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WRITER = path.join(PROJECT_ROOT, 'test', 'fixtures', 'history-writer.ts')
const FIXED_NOW = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))

let scratch: ScratchHistory

beforeEach(() => {
  scratch = new ScratchHistory()
})

afterEach(() => {
  scratch.remove()
})

function problems(report: ChainReport): Array<{ seq: number; kind: string }> {
  return report.ok ? [] : report.problems.map(({ seq, kind }) => ({ seq, kind }))
}

describe('EventLog', () => {
  it('returns appended events with seq and hash and lists them back unchanged', () => {
    const store = scratch.open(undefined, () => FIXED_NOW)
    const first = store.events.appendEvent(phaseMove())
    const second = store.events.appendEvent(
      phaseMove({ kind: 'guard_trip', actor: 'rampart', reason: 'error rate 7%' })
    )

    expect(first).toMatchObject({
      seq: 1,
      at: FIXED_NOW.toISOString(),
      toState: { enabled: true, rollout_percentage: 25 }
    })
    expect(second.seq).toBe(2)
    expect(second.prevHash).toBe(first.hash)
    expect(store.events.listEvents()).toEqual([first, second])
    expect(store.events.getEvent(2)).toEqual(second)
  })

  it('verifies an untouched history and reports its length and head', () => {
    const store = scratch.open()
    store.events.appendEvent(phaseMove())
    const last = store.events.appendEvent(phaseMove({ kind: 'rollback' }))
    expect(store.events.verify()).toEqual({ ok: true, count: 2, headHash: last.hash })
  })

  it('stores JSON fields as they will read back, so the hash still verifies', () => {
    const store = scratch.open()
    const event = store.events.appendEvent(
      phaseMove({ detail: { at: FIXED_NOW, dropped: undefined, ratio: Number.POSITIVE_INFINITY, ok: true } })
    )
    expect(event.detail).toEqual({ at: FIXED_NOW.toISOString(), ratio: null, ok: true })
    expect(store.events.getEvent(event.seq)?.detail).toEqual(event.detail)
    expect(store.events.verify().ok).toBe(true)
  })

  it('filters events by flag, environment, kinds, sinceSeq and limit', () => {
    const store = scratch.open()
    store.events.appendEvent(phaseMove())
    store.events.appendEvent(phaseMove({ environment: 'production' }))
    store.events.appendEvent(phaseMove({ flag: 'other_flag' }))
    store.events.appendEvent(phaseMove({ kind: 'kill' }))
    store.events.appendEvent(phaseMove({ kind: 'drift' }))

    const seqs = (filter: EventFilter) => store.events.listEvents(filter).map((event) => event.seq)
    expect(seqs({ environment: 'production' })).toEqual([2])
    expect(seqs({ flag: 'unified_llm_hub', environment: 'staging' })).toEqual([1, 4, 5])
    expect(seqs({ kinds: ['kill', 'drift'] })).toEqual([4, 5])
    expect(seqs({ kinds: [] })).toEqual([])
    expect(seqs({ sinceSeq: 3 })).toEqual([4, 5])
    expect(seqs({ sinceSeq: 1, limit: 2 })).toEqual([2, 3])
  })

  it('refuses an unknown kind, a missing actor and non-JSON data as bad input, writing nothing', () => {
    const store = scratch.open()
    expect(caught(() => store.events.appendEvent(phaseMove({ kind: 'teleport' as never })))).toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('"teleport"')
    })
    expect(caught(() => store.events.appendEvent(phaseMove({ actor: ' ' })))).toMatchObject({ code: 'bad_input' })
    expect(caught(() => store.events.appendEvent(phaseMove({ detail: { rows: 10n } })))).toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('field detail')
    })
    expect(store.events.listEvents()).toEqual([])
  })
})

describe('EventLog shared by two connections', () => {
  it('lets a second store on the same file see the first one’s events and both append to one chain', () => {
    const app = scratch.open()
    const cli = scratch.open()
    app.events.appendEvent(phaseMove({ actor: 'app' }))
    expect(cli.events.listEvents().map((event) => event.actor)).toEqual(['app'])

    for (let round = 0; round < 5; round++) {
      cli.events.appendEvent(phaseMove({ actor: 'cli' }))
      app.events.appendEvent(phaseMove({ actor: 'app' }))
    }

    expect(app.events.listEvents().map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(app.events.verify()).toMatchObject({ ok: true, count: 11 })
    expect(cli.events.verify()).toEqual(app.events.verify())
  })
})

describe('EventLog tamper detection', () => {
  function seeded(count: number): HistoryStore {
    const store = scratch.open()
    for (let index = 0; index < count; index++) store.events.appendEvent(phaseMove({ reason: `move ${index + 1}` }))
    return store
  }

  it('refuses UPDATE and DELETE on events at the SQL level', () => {
    seeded(2)
    const db = scratch.raw()
    expect(() => db.prepare("UPDATE events SET reason = 'x' WHERE seq = 1").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/)
  })

  it('reports an event edited after its trigger was dropped, naming its seq', () => {
    const store = seeded(4)
    const db = scratch.raw()
    db.exec('DROP TRIGGER events_no_update')
    db.prepare("UPDATE events SET reason = 'nothing to see here' WHERE seq = 2").run()

    const report = store.events.verify()
    expect(problems(report)).toEqual([{ seq: 2, kind: 'edited' }])
  })

  it('reports a deleted middle event as missing', () => {
    const store = seeded(4)
    const db = scratch.raw()
    db.exec('DROP TRIGGER events_no_delete')
    db.prepare('DELETE FROM events WHERE seq = 3').run()

    expect(problems(store.events.verify())).toEqual([{ seq: 3, kind: 'missing' }])
  })

  it('reports a deleted last event as missing, also after later appends', () => {
    const store = seeded(4)
    const db = scratch.raw()
    db.exec('DROP TRIGGER events_no_delete')
    db.prepare('DELETE FROM events WHERE seq = 4').run()

    expect(problems(store.events.verify())).toEqual([{ seq: 4, kind: 'missing' }])
    store.events.appendEvent(phaseMove())
    expect(problems(store.events.verify())).toEqual([{ seq: 4, kind: 'missing' }])
  })
})

describe('EventLog under SIGKILL', () => {
  it(
    'keeps every acknowledged write and a verifiable chain when the writer is killed mid-burst, ' + 'three times over',
    async () => {
      const rounds = 3
      const minimumAcks = 200
      for (let round = 1; round <= rounds; round++) {
        const run = await runWriterUntilKilled(scratch.file, round, minimumAcks)
        expect(run.signal, `writer exited by itself; stderr:\n${run.stderr}`).toBe('SIGKILL')
        expect(run.acks.length).toBeGreaterThanOrEqual(minimumAcks)

        const store = HistoryStore.open(scratch.file)
        try {
          for (const ack of run.acks) {
            const event = store.events.getEvent(ack.seq)
            expect(event?.reason, `acknowledged seq ${ack.seq} of round ${round}`).toBe(
              `round ${round} write ${ack.counter}`
            )
            expect(event?.detail).toEqual({ round, counter: ack.counter })
          }
          expect(store.events.verify()).toMatchObject({ ok: true })
        } finally {
          store.close()
        }
      }
    }
  )
})

interface WriterRun {
  acks: Array<{ seq: number; counter: number }>
  signal: NodeJS.Signals | null
  stderr: string
}

/** Starts the writer fixture and kills it once it has acknowledged `minimumAcks` appends. */
function runWriterUntilKilled(target: string, round: number, minimumAcks: number): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, target, String(round)], {
      cwd: PROJECT_ROOT,
      env: tsxChildEnv(),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const acks: WriterRun['acks'] = []
    let pending = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? '' // a line cut short by the kill was never fully acknowledged
      for (const line of lines) {
        const [seq, counter] = line.split(' ').map(Number)
        if (seq === undefined || counter === undefined || Number.isNaN(seq) || Number.isNaN(counter)) {
          reject(new Error(`writer printed an unexpected line: ${line}`))
          return
        }
        acks.push({ seq, counter })
      }
      if (acks.length >= minimumAcks && child.exitCode === null && !child.killed) child.kill('SIGKILL')
    })
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (_code, signal) => resolve({ acks, signal, stderr }))
  })
}
