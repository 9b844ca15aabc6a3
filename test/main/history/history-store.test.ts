import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HISTORY_SCHEMA_VERSION } from '@main/history/history-schema'
import type { EventFilter } from '@main/history/event-log'
import { FULL_OPEN_CHECK_MAX_BYTES } from '@main/history/history-file'
import { HistoryStore } from '@main/history/history-store'
import { RampartError } from '@shared/errors'
import type { ChainReport, NewHistoryEvent } from '@shared/history-types'
import { tsxChildEnv } from '@test/support/tsx-child'

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WRITER = path.join(PROJECT_ROOT, 'test', 'fixtures', 'history-writer.ts')
const FIXED_NOW = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))

let dir: string
let file: string
const opened: Array<{ close(): void }> = []

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-history-'))
  file = path.join(dir, 'history.db')
})

afterEach(() => {
  for (const handle of opened.splice(0)) handle.close()
  rmSync(dir, { recursive: true, force: true })
})

function openStore(target = file, now?: () => Date): HistoryStore {
  const store = HistoryStore.open(target, now === undefined ? {} : { now })
  opened.push(store)
  return store
}

/** A second, raw connection: what someone with the sqlite3 shell could do to the file. */
function rawDb(target = file): Database.Database {
  const db = new Database(target)
  opened.push(db)
  return db
}

function phaseMove(overrides: Partial<NewHistoryEvent> = {}): NewHistoryEvent {
  return {
    kind: 'phase_move',
    actor: 'release-owner',
    flag: 'unified_llm_hub',
    environment: 'staging',
    reason: 'guards green for a day',
    fromState: { enabled: true, rollout_percentage: 10 },
    toState: { enabled: true, rollout_percentage: 25 },
    guardSnapshot: { verdict: 'pass' },
    outcome: 'applied',
    ...overrides
  }
}

function problems(report: ChainReport): Array<{ seq: number; kind: string }> {
  return report.ok ? [] : report.problems.map(({ seq, kind }) => ({ seq, kind }))
}

function sha256(target: string): string {
  return createHash('sha256').update(readFileSync(target)).digest('hex')
}

function caught(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected the action to throw')
}

describe('HistoryStore basics', () => {
  it('returns appended events with seq and hash and lists them back unchanged', () => {
    const store = openStore(undefined, () => FIXED_NOW)
    const first = store.events.appendEvent(phaseMove())
    const second = store.events.appendEvent(phaseMove({ kind: 'guard_trip', actor: 'rampart', reason: 'error rate 7%' }))

    expect(first).toMatchObject({ seq: 1, at: FIXED_NOW.toISOString(), toState: { enabled: true, rollout_percentage: 25 } })
    expect(second.seq).toBe(2)
    expect(second.prevHash).toBe(first.hash)
    expect(store.events.listEvents()).toEqual([first, second])
    expect(store.events.getEvent(2)).toEqual(second)
  })

  it('verifies an untouched history and reports its length and head', () => {
    const store = openStore()
    store.events.appendEvent(phaseMove())
    const last = store.events.appendEvent(phaseMove({ kind: 'rollback' }))
    expect(store.events.verify()).toEqual({ ok: true, count: 2, headHash: last.hash })
  })

  it('stores JSON fields as they will read back, so the hash still verifies', () => {
    const store = openStore()
    const event = store.events.appendEvent(
      phaseMove({ detail: { at: FIXED_NOW, dropped: undefined, ratio: Number.POSITIVE_INFINITY, ok: true } })
    )
    expect(event.detail).toEqual({ at: FIXED_NOW.toISOString(), ratio: null, ok: true })
    expect(store.events.getEvent(event.seq)?.detail).toEqual(event.detail)
    expect(store.events.verify().ok).toBe(true)
  })

  it('opens the file in WAL mode', () => {
    openStore()
    expect(rawDb().pragma('journal_mode', { simple: true })).toBe('wal')
  })

  it('records its schema version in user_version', () => {
    openStore()
    expect(rawDb().pragma('user_version', { simple: true })).toBe(HISTORY_SCHEMA_VERSION)
  })

  it('creates missing parent folders', () => {
    const nested = path.join(dir, 'a', 'b', 'history.db')
    openStore(nested).events.appendEvent(phaseMove())
    expect(existsSync(nested)).toBe(true)
  })

  it('filters events by flag, environment, kinds, sinceSeq and limit', () => {
    const store = openStore()
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
    const store = openStore()
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

  it('keeps one current state per rollout and returns it with its own events', () => {
    let now = FIXED_NOW
    const store = openStore(undefined, () => now)
    store.rollouts.upsertRollout({ flag: 'unified_llm_hub', environment: 'staging', state: { phase: 10 } })
    now = new Date(FIXED_NOW.getTime() + 60_000)
    const updated = store.rollouts.upsertRollout({ flag: 'unified_llm_hub', environment: 'staging', state: { phase: 25 } })
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

  it('records guard windows and lists them in window order', () => {
    const store = openStore()
    const figures = { treatment: { requests: 120, failures: 3 }, control: { requests: 80, failures: 1 } }
    const window = { flag: 'f', environment: 'staging', windowSeconds: 60 }
    store.guardWindows.recordGuardWindow({ ...window, windowStart: '2025-11-03T12:01:00.000Z', decision: 'hold', figures: {} })
    const first = store.guardWindows.recordGuardWindow({ ...window, windowStart: '2025-11-03T12:00:00.000Z', decision: 'pass', figures })

    const windows = store.guardWindows.listGuardWindows('f', 'staging')
    expect(windows.map((window) => window.decision)).toEqual(['pass', 'hold'])
    expect(windows[0]).toEqual(first)
    expect(windows[0]?.figures).toEqual(figures)
  })

  it('lists a rollout’s windows from an instant on, and names its newest window’s start, leaving other rollouts out', () => {
    const store = openStore()
    const window = { flag: 'f', environment: 'staging', windowSeconds: 60, decision: 'pass', figures: {} }
    for (const minute of ['03', '01', '02', '00']) store.guardWindows.recordGuardWindow({ ...window, windowStart: `2025-11-03T12:${minute}:00.000Z` })
    store.guardWindows.recordGuardWindow({ ...window, environment: 'production', windowStart: '2025-11-03T12:09:00.000Z' })
    store.guardWindows.recordGuardWindow({ ...window, flag: 'g', windowStart: '2025-11-03T12:08:00.000Z' })

    expect(store.guardWindows.listGuardWindows('f', 'staging', { since: '2025-11-03T12:01:00.000Z' }).map((found) => found.windowStart)).toEqual([
      '2025-11-03T12:01:00.000Z',
      '2025-11-03T12:02:00.000Z',
      '2025-11-03T12:03:00.000Z'
    ])
    expect(store.guardWindows.listGuardWindows('f', 'staging', { since: '2025-11-03T12:03:00.001Z' })).toEqual([])
    expect(store.guardWindows.latestGuardWindowStart('f', 'staging')).toBe('2025-11-03T12:03:00.000Z')
    expect(store.guardWindows.latestGuardWindowStart('f', 'nowhere')).toBeNull()
  })

  it('reads a rollout’s record without its events', () => {
    const store = openStore()
    store.rollouts.upsertRollout({ flag: 'f', environment: 'staging', state: { phase: 10 } })
    expect(store.rollouts.getRolloutRecord('f', 'staging')).toMatchObject({ flag: 'f', environment: 'staging', state: { phase: 10 } })
    expect(store.rollouts.getRolloutRecord('f', 'production')).toBeUndefined()
  })
})

describe('HistoryStore shared by two connections', () => {
  it('lets a second store on the same file see the first one’s events and both append to one chain', () => {
    const app = openStore()
    const cli = openStore()
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

describe('HistoryStore tamper detection', () => {
  function seeded(count: number): HistoryStore {
    const store = openStore()
    for (let index = 0; index < count; index++) store.events.appendEvent(phaseMove({ reason: `move ${index + 1}` }))
    return store
  }

  it('refuses UPDATE and DELETE on events at the SQL level', () => {
    seeded(2)
    const db = rawDb()
    expect(() => db.prepare("UPDATE events SET reason = 'x' WHERE seq = 1").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/)
  })

  it('reports an event edited after its trigger was dropped, naming its seq', () => {
    const store = seeded(4)
    const db = rawDb()
    db.exec('DROP TRIGGER events_no_update')
    db.prepare("UPDATE events SET reason = 'nothing to see here' WHERE seq = 2").run()

    const report = store.events.verify()
    expect(problems(report)).toEqual([{ seq: 2, kind: 'edited' }])
  })

  it('reports a deleted middle event as missing', () => {
    const store = seeded(4)
    const db = rawDb()
    db.exec('DROP TRIGGER events_no_delete')
    db.prepare('DELETE FROM events WHERE seq = 3').run()

    expect(problems(store.events.verify())).toEqual([{ seq: 3, kind: 'missing' }])
  })

  it('reports a deleted last event as missing, also after later appends', () => {
    const store = seeded(4)
    const db = rawDb()
    db.exec('DROP TRIGGER events_no_delete')
    db.prepare('DELETE FROM events WHERE seq = 4').run()

    expect(problems(store.events.verify())).toEqual([{ seq: 4, kind: 'missing' }])
    store.events.appendEvent(phaseMove())
    expect(problems(store.events.verify())).toEqual([{ seq: 4, kind: 'missing' }])
  })
})

describe('HistoryStore.open on files it cannot use as they are', () => {
  it('refuses a file from a newer schema version with a message naming file and versions, leaving it untouched', () => {
    const db = new Database(file)
    db.exec('CREATE TABLE from_the_future (x)')
    db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION + 1}`)
    db.close()
    const before = sha256(file)

    const error = caught(() => openStore())
    expect(error).toBeInstanceOf(RampartError)
    expect(error).toMatchObject({ code: 'refused' })
    const message = (error as RampartError).message
    expect(message).toContain(file)
    expect(message).toContain(`schema version ${HISTORY_SCHEMA_VERSION + 1}`)
    expect(message).toContain(`up to version ${HISTORY_SCHEMA_VERSION}`)
    expect(message).toMatch(/upgrade Rampart/)
    expect(sha256(file)).toBe(before)
    expect(existsSync(`${file}-wal`)).toBe(false)
  })

  it('moves a file of random bytes aside with its WAL, says where, and starts a working fresh file', () => {
    const junk = pseudoRandomBytes(64 * 1024)
    writeFileSync(file, junk)
    writeFileSync(`${file}-wal`, junk.subarray(0, 4096))

    const store = openStore(undefined, () => FIXED_NOW)

    const movedTo = `${file}.corrupt-2025-11-03T120000.000Z`
    expect(store.recoveredFrom).toBe(movedTo)
    expect(store.warning).toContain(file)
    expect(store.warning).toContain(movedTo)
    expect(readFileSync(movedTo).equals(junk)).toBe(true)
    expect(existsSync(`${movedTo}-wal`)).toBe(true)
    store.events.appendEvent(phaseMove())
    expect(store.events.verify()).toMatchObject({ ok: true, count: 1 })
  })

  it('moves aside a SQLite file that fails the integrity check', () => {
    const db = new Database(file)
    db.exec('CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x)')
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    db.transaction(() => {
      for (let row = 0; row < 2000; row++) insert.run(`row ${row} ${'-'.repeat(50)}`)
    })()
    db.close()
    const bytes = readFileSync(file)
    const pageSize = bytes.readUInt16BE(16)
    bytes.fill(0xa5, 2 * pageSize + 100, 3 * pageSize) // scribble over most of page 3
    writeFileSync(file, bytes)

    const store = openStore(undefined, () => FIXED_NOW)

    expect(store.recoveredFrom).toBe(`${file}.corrupt-2025-11-03T120000.000Z`)
    expect(store.warning).toMatch(/integrity check failed/)
    expect(store.events.listEvents()).toEqual([])
  })

  it('in a file past the full-check size, checks all but the guard windows at open; `storageProblems` finds damage there', () => {
    const damaged = grownHistory('guard_windows')
    const store = openStore(undefined, () => FIXED_NOW)
    expect(store.recoveredFrom).toBeUndefined()
    expect(store.events.verify()).toMatchObject({ ok: true, count: 50 })
    expect(store.events.storageProblems().length).toBeGreaterThan(0)
    expect(() => store.guardWindows.listGuardWindows('f', 'production')).toThrow(/history file .+ database disk image is malformed; the file is damaged: `rampart history verify` says where/)
    expect(readFileSync(file).subarray(damaged.offset, damaged.offset + 16).equals(Buffer.alloc(16, 0xa5))).toBe(true)
  })

  it('in a file past the full-check size, still moves it aside when the events are damaged', () => {
    grownHistory('events')
    const store = openStore(undefined, () => FIXED_NOW)
    expect(store.recoveredFrom).toBe(`${file}.corrupt-2025-11-03T120000.000Z`)
    expect(store.warning).toMatch(/integrity check failed/)
  })

  it('finds no storage problem in a sound file', () => {
    openStore().events.appendEvent(phaseMove())
    expect(openStore().events.storageProblems()).toEqual([])
  })

  it('leaves a healthy file in place and says nothing', () => {
    openStore().events.appendEvent(phaseMove())
    const again = openStore()
    expect(again.recoveredFrom).toBeUndefined()
    expect(again.warning).toBeUndefined()
    expect(again.events.listEvents()).toHaveLength(1)
  })
})

describe('HistoryStore under SIGKILL', () => {
  it('keeps every acknowledged write and a verifiable chain when the writer is killed mid-burst, three times over', async () => {
    const rounds = 3
    const minimumAcks = 200
    for (let round = 1; round <= rounds; round++) {
      const run = await runWriterUntilKilled(file, round, minimumAcks)
      expect(run.signal, `writer exited by itself; stderr:\n${run.stderr}`).toBe('SIGKILL')
      expect(run.acks.length).toBeGreaterThanOrEqual(minimumAcks)

      const store = HistoryStore.open(file)
      try {
        for (const ack of run.acks) {
          const event = store.events.getEvent(ack.seq)
          expect(event?.reason, `acknowledged seq ${ack.seq} of round ${round}`).toBe(`round ${round} write ${ack.counter}`)
          expect(event?.detail).toEqual({ round, counter: ack.counter })
        }
        expect(store.events.verify()).toMatchObject({ ok: true })
      } finally {
        store.close()
      }
    }
  })
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

/**
 * A history file past FULL_OPEN_CHECK_MAX_BYTES (50 events, guard windows for the bulk), closed,
 * then with most of one leaf page of `table` scribbled over; returns where the scribble starts.
 */
function grownHistory(table: 'guard_windows' | 'events'): { offset: number } {
  const store = openStore()
  for (let event = 0; event < 50; event++) store.events.appendEvent(phaseMove({ reason: `move ${event}` }))
  store.close()
  const db = rawDb()
  const insert = db.prepare('INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at) VALUES (?, ?, ?, 60, ?, ?, ?)')
  const figures = JSON.stringify({ treatment: { requests: 320, failures: 3 }, control: { requests: 480, failures: 5 }, padding: 'x'.repeat(200) })
  db.transaction(() => {
    for (let window = 0; window < 40_000; window++) {
      const at = new Date(Date.UTC(2025, 0, 1) + window * 60_000).toISOString()
      insert.run('f', 'production', at, 'pass', figures, at)
    }
  })()
  const pageSize = db.pragma('page_size', { simple: true }) as number
  expect((db.pragma('page_count', { simple: true }) as number) * pageSize).toBeGreaterThan(FULL_OPEN_CHECK_MAX_BYTES)
  const page = db.prepare<[string], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1").get(table)!.pageno
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  const bytes = readFileSync(file)
  const offset = (page - 1) * pageSize + 100
  bytes.fill(0xa5, offset, page * pageSize)
  writeFileSync(file, bytes)
  return { offset }
}

/** Bytes that look random but are the same on every run. */
function pseudoRandomBytes(length: number): Buffer {
  const blocks: Buffer[] = []
  let block = createHash('sha256').update('rampart corrupt history').digest()
  for (let size = 0; size < length; size += block.length) {
    blocks.push(block)
    block = createHash('sha256').update(block).digest()
  }
  return Buffer.concat(blocks).subarray(0, length)
}
