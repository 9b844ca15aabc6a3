import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FULL_OPEN_CHECK_MAX_BYTES } from '@main/history/history-file'
import { HISTORY_SCHEMA_VERSION } from '@main/history/history-schema'
import { RampartError } from '@shared/errors'
import { caught, phaseMove, ScratchHistory } from '@test/fixtures/scratch-history'

const FIXED_NOW = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))

let scratch: ScratchHistory
let dir: string
let file: string

beforeEach(() => {
  scratch = new ScratchHistory()
  dir = scratch.dir
  file = scratch.file
})

afterEach(() => {
  scratch.remove()
})

function sha256(target: string): string {
  return createHash('sha256').update(readFileSync(target)).digest('hex')
}

describe('HistoryStore.open', () => {
  it('opens the file in WAL mode', () => {
    scratch.open()
    expect(scratch.raw().pragma('journal_mode', { simple: true })).toBe('wal')
  })

  it('records its schema version in user_version', () => {
    scratch.open()
    expect(scratch.raw().pragma('user_version', { simple: true })).toBe(HISTORY_SCHEMA_VERSION)
  })

  it('creates missing parent folders', () => {
    const nested = path.join(dir, 'a', 'b', 'history.db')
    scratch.open(nested).events.appendEvent(phaseMove())
    expect(existsSync(nested)).toBe(true)
  })
})

describe('HistoryStore.open on files it cannot use as they are', () => {
  it('refuses a file from a newer schema version with a message naming file and versions, leaving it untouched', () => {
    const db = new Database(file)
    db.exec('CREATE TABLE from_the_future (x)')
    db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION + 1}`)
    db.close()
    const before = sha256(file)

    const error = caught(() => scratch.open())
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

    const store = scratch.open(undefined, () => FIXED_NOW)

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

    const store = scratch.open(undefined, () => FIXED_NOW)

    expect(store.recoveredFrom).toBe(`${file}.corrupt-2025-11-03T120000.000Z`)
    expect(store.warning).toMatch(/integrity check failed/)
    expect(store.events.listEvents()).toEqual([])
  })

  it(
    'in a file past the full-check size, ' +
      'checks all but the guard windows at open; `storageProblems` finds damage there',
    () => {
      const damaged = grownHistory('guard_windows')
      const store = scratch.open(undefined, () => FIXED_NOW)
      expect(store.recoveredFrom).toBeUndefined()
      expect(store.events.verify()).toMatchObject({ ok: true, count: 50 })
      expect(store.events.storageProblems().length).toBeGreaterThan(0)
      expect(() => store.guardWindows.listGuardWindows('f', 'production')).toThrow(
        /history file .+ database disk image is malformed; the file is damaged: `rampart history verify` says where/
      )
      expect(
        readFileSync(file)
          .subarray(damaged.offset, damaged.offset + 16)
          .equals(Buffer.alloc(16, 0xa5))
      ).toBe(true)
    }
  )

  it('in a file past the full-check size, still moves it aside when the events are damaged', () => {
    grownHistory('events')
    const store = scratch.open(undefined, () => FIXED_NOW)
    expect(store.recoveredFrom).toBe(`${file}.corrupt-2025-11-03T120000.000Z`)
    expect(store.warning).toMatch(/integrity check failed/)
  })

  it('finds no storage problem in a sound file', () => {
    scratch.open().events.appendEvent(phaseMove())
    expect(scratch.open().events.storageProblems()).toEqual([])
  })

  it('leaves a healthy file in place and says nothing', () => {
    scratch.open().events.appendEvent(phaseMove())
    const again = scratch.open()
    expect(again.recoveredFrom).toBeUndefined()
    expect(again.warning).toBeUndefined()
    expect(again.events.listEvents()).toHaveLength(1)
  })
})

/**
 * A history file past FULL_OPEN_CHECK_MAX_BYTES (50 events, guard windows for the bulk), closed,
 * then with most of one leaf page of `table` scribbled over; returns where the scribble starts.
 */
function grownHistory(table: 'guard_windows' | 'events'): { offset: number } {
  const store = scratch.open()
  for (let event = 0; event < 50; event++) store.events.appendEvent(phaseMove({ reason: `move ${event}` }))
  store.close()
  const db = scratch.raw()
  const insert = db.prepare(
    'INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at) ' +
      'VALUES (?, ?, ?, 60, ?, ?, ?)'
  )
  const figures = JSON.stringify({
    treatment: { requests: 320, failures: 3 },
    control: { requests: 480, failures: 5 },
    padding: 'x'.repeat(200)
  })
  db.transaction(() => {
    for (let window = 0; window < 40_000; window++) {
      const at = new Date(Date.UTC(2025, 0, 1) + window * 60_000).toISOString()
      insert.run('f', 'production', at, 'pass', figures, at)
    }
  })()
  const pageSize = db.pragma('page_size', { simple: true }) as number
  expect((db.pragma('page_count', { simple: true }) as number) * pageSize).toBeGreaterThan(FULL_OPEN_CHECK_MAX_BYTES)
  const page = db
    .prepare<[string], { pageno: number }>(
      "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1"
    )
    .get(table)!.pageno
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
