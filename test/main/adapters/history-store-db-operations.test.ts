import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../src/main/adapters/history-store'
import { RampartError } from '../../../src/shared/errors'

let dir: string
let store: HistoryStore
let clock: Date

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-dbops-'))
  clock = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))
  store = HistoryStore.open(path.join(dir, 'history.db'), { now: () => clock })
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('HistoryStore database operations', () => {
  it('opens a record as running before the work, so a crash leaves it visible', () => {
    const record = store.startDbOperation({
      kind: 'migrate',
      environment: 'local',
      database: 'unicorn@127.0.0.1:5432/unicorn_test',
      actor: 'dev',
      detail: { toVersion: null }
    })
    expect(record).toEqual({
      id: record.id,
      kind: 'migrate',
      environment: 'local',
      database: 'unicorn@127.0.0.1:5432/unicorn_test',
      actor: 'dev',
      status: 'running',
      startedAt: '2025-11-03T12:00:00.000Z',
      finishedAt: null,
      backupFile: null,
      backupSha256: null,
      detail: { toVersion: null }
    })
    store.close()
    store = HistoryStore.open(path.join(dir, 'history.db'))
    expect(store.listDbOperations()).toMatchObject([{ id: record.id, status: 'running' }])
  })

  it('finishes a record with its outcome, detail and backup', () => {
    const { id } = store.startDbOperation({ kind: 'rollback', environment: 'local', database: 'db', actor: 'dev' })
    clock = new Date(Date.UTC(2025, 10, 3, 12, 0, 5))
    const finished = store.finishDbOperation(id, {
      status: 'succeeded',
      detail: { versions: [2] },
      backupFile: '/backups/x.dump',
      backupSha256: 'a'.repeat(64)
    })
    expect(finished).toMatchObject({
      status: 'succeeded',
      finishedAt: '2025-11-03T12:00:05.000Z',
      detail: { versions: [2] },
      backupFile: '/backups/x.dump',
      backupSha256: 'a'.repeat(64)
    })
  })

  it('keeps the start detail when the finish gives none', () => {
    const { id } = store.startDbOperation({ kind: 'setup', environment: 'local', database: 'db', actor: 'dev', detail: { step: 1 } })
    expect(store.finishDbOperation(id, { status: 'failed' }).detail).toEqual({ step: 1 })
  })

  it('lists newest first, filtered by environment and kind', () => {
    store.startDbOperation({ kind: 'migrate', environment: 'local', database: 'db', actor: 'dev' })
    store.startDbOperation({ kind: 'repair', environment: 'local', database: 'db', actor: 'dev' })
    store.startDbOperation({ kind: 'migrate', environment: 'staging', database: 'db', actor: 'dev' })
    store.startDbOperation({ kind: 'migrate', environment: 'local', database: 'db2', actor: 'dev' })
    expect(store.listDbOperations({ environment: 'local', kind: 'migrate' }).map((record) => record.database)).toEqual(['db2', 'db'])
    expect(store.listDbOperations({ limit: 1 }).map((record) => record.database)).toEqual(['db2'])
  })

  it('refuses to finish an operation that does not exist', () => {
    expect(() => store.finishDbOperation(999, { status: 'succeeded' })).toThrow(RampartError)
  })
})
