import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { HistoryStore } from '@main/history/history-store'
import { HISTORY_MIGRATIONS } from '@main/history/history-schema'
import { RampartError } from '@shared/errors'

let dir: string
let store: HistoryStore
let clock: Date
const OWNER = { pid: 4242, host: 'workstation-7' }

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-operations-'))
  clock = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))
  store = HistoryStore.open(path.join(dir, 'history.db'), { now: () => clock, process: OWNER })
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('OperationRecords database operations', () => {
  it('opens a record as running before the work, so a crash leaves it visible', () => {
    const record = store.operations.startDbOperation({
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
      detail: { toVersion: null },
      owner: OWNER
    })
    store.close()
    store = HistoryStore.open(path.join(dir, 'history.db'))
    expect(store.operations.listDbOperations()).toMatchObject([{ id: record.id, status: 'running' }])
  })

  it('finishes a record with its outcome, detail and backup', () => {
    const { id } = store.operations.startDbOperation({
      kind: 'rollback',
      environment: 'local',
      database: 'db',
      actor: 'dev'
    })
    clock = new Date(Date.UTC(2025, 10, 3, 12, 0, 5))
    const finished = store.operations.finishDbOperation(id, {
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
    const { id } = store.operations.startDbOperation({
      kind: 'setup',
      environment: 'local',
      database: 'db',
      actor: 'dev',
      detail: { step: 1 }
    })
    expect(store.operations.finishDbOperation(id, { status: 'failed' }).detail).toEqual({ step: 1 })
  })

  it('lists newest first, filtered by environment and kind', () => {
    store.operations.startDbOperation({ kind: 'migrate', environment: 'local', database: 'db', actor: 'dev' })
    store.operations.startDbOperation({ kind: 'repair', environment: 'local', database: 'db', actor: 'dev' })
    store.operations.startDbOperation({ kind: 'migrate', environment: 'staging', database: 'db', actor: 'dev' })
    store.operations.startDbOperation({ kind: 'migrate', environment: 'local', database: 'db2', actor: 'dev' })
    expect(
      store.operations.listDbOperations({ environment: 'local', kind: 'migrate' }).map((record) => record.database)
    ).toEqual(['db2', 'db'])
    expect(store.operations.listDbOperations({ limit: 1 }).map((record) => record.database)).toEqual(['db2'])
  })

  it('refuses to finish an operation that does not exist', () => {
    expect(() => store.operations.finishDbOperation(999, { status: 'succeeded' })).toThrow(RampartError)
  })

  it('lists by status', () => {
    const { id } = store.operations.startDbOperation({
      kind: 'migrate',
      environment: 'local',
      database: 'db',
      actor: 'dev'
    })
    store.operations.startDbOperation({ kind: 'setup', environment: 'local', database: 'db', actor: 'dev' })
    store.operations.finishDbOperation(id, { status: 'succeeded' })
    expect(store.operations.listDbOperations({ status: 'running' }).map((record) => record.kind)).toEqual(['setup'])
  })
})

describe('OperationRecords interrupted database operations', () => {
  it(
    'closes a running record once, keeping its detail, ' +
      'with one chained event that tells who started it and why it ended',
    () => {
      const { id } = store.operations.startDbOperation({
        kind: 'migrate',
        environment: 'local',
        database: 'db',
        actor: 'dev',
        detail: { toVersion: 3 }
      })
      clock = new Date(Date.UTC(2025, 10, 3, 12, 1, 0))
      const closed = store.operations.interruptDbOperation(id, 'pid 4242 on workstation-7 is gone', 'rampart')
      expect(closed).toMatchObject({
        id,
        status: 'interrupted',
        finishedAt: '2025-11-03T12:01:00.000Z',
        detail: { toVersion: 3, interruption: 'pid 4242 on workstation-7 is gone' }
      })
      expect(store.operations.interruptDbOperation(id, 'again', 'rampart')).toBeNull()
      const events = store.events.listEvents({ kinds: ['db_operation'] })
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({
        actor: 'rampart',
        environment: 'local',
        outcome: 'interrupted',
        detail: {
          operation: 'migrate',
          operationId: id,
          database: 'db',
          startedBy: 'dev',
          startedAt: '2025-11-03T12:00:00.000Z',
          interruption: 'pid 4242 on workstation-7 is gone'
        }
      })
      expect(store.events.verify()).toMatchObject({ ok: true })
    }
  )

  it('leaves a finished record and writes no event for it', () => {
    const { id } = store.operations.startDbOperation({
      kind: 'setup',
      environment: 'local',
      database: 'db',
      actor: 'dev'
    })
    store.operations.finishDbOperation(id, { status: 'succeeded' })
    expect(store.operations.interruptDbOperation(id, 'pid 4242 on workstation-7 is gone', 'rampart')).toBeNull()
    expect(store.operations.listDbOperations()).toMatchObject([{ id, status: 'succeeded' }])
    expect(store.events.listEvents()).toHaveLength(0)
  })

  it('brings a schema 1 file forward: its open records keep their data and have no owner', () => {
    store.close()
    const file = path.join(dir, 'v1.db')
    const raw = new Database(file)
    raw.exec(HISTORY_MIGRATIONS[0]!.sql)
    raw.pragma('user_version = 1')
    raw
      .prepare(
        'INSERT INTO db_operations (kind, environment, database, actor, status, started_at) ' +
          "VALUES ('rollback', 'local', 'db', 'ops', 'running', '2025-11-01T00:00:00.000Z')"
      )
      .run()
    raw.close()
    store = HistoryStore.open(file, { now: () => clock, process: OWNER })
    expect(store.operations.listDbOperations({ status: 'running' })).toMatchObject([
      { kind: 'rollback', actor: 'ops', owner: null }
    ])
    expect(
      store.operations.startDbOperation({ kind: 'setup', environment: 'local', database: 'db', actor: 'dev' }).owner
    ).toEqual(OWNER)
  })
})

describe('OperationRecords Docker actions', () => {
  it('records an action with its time, engine, container, outcome and detail', () => {
    const record = store.operations.recordDockerAction({
      environment: 'local',
      endpoint: 'unix:///var/run/docker.sock',
      container: 'ops-center-direct',
      action: 'create',
      outcome: 'succeeded',
      detail: { image: 'node:18-slim', labels: { 'rampart.demo': '1' } }
    })
    expect(record).toEqual({
      id: record.id,
      at: '2025-11-03T12:00:00.000Z',
      environment: 'local',
      endpoint: 'unix:///var/run/docker.sock',
      container: 'ops-center-direct',
      action: 'create',
      outcome: 'succeeded',
      detail: { image: 'node:18-slim', labels: { 'rampart.demo': '1' } }
    })
  })

  it('lists actions newest first, filtered by environment and container, and keeps them across a reopen', () => {
    const action = (environment: string, container: string | null, name: string): void => {
      store.operations.recordDockerAction({
        environment,
        endpoint: 'unix:///var/run/docker.sock',
        container,
        action: name,
        outcome: 'succeeded'
      })
    }
    action('local', 'ops-center-direct', 'create')
    action('local', 'unicorn-postgresql', 'start')
    action('staging', 'ops-center-direct', 'remove')
    action('local', 'ops-center-direct', 'remove')
    store.close()
    store = HistoryStore.open(path.join(dir, 'history.db'), { now: () => clock })

    expect(
      store.operations
        .listDockerActions({ environment: 'local', container: 'ops-center-direct' })
        .map((row) => row.action)
    ).toEqual(['remove', 'create'])
    expect(store.operations.listDockerActions({ limit: 2 }).map((row) => `${row.environment} ${row.action}`)).toEqual([
      'local remove',
      'staging remove'
    ])
    expect(store.operations.listDockerActions()[0]!.detail).toBeNull()
  })
})
