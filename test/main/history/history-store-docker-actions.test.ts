import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'

let dir: string
let file: string
let store: HistoryStore
let clock: Date

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-docker-actions-'))
  file = path.join(dir, 'history.db')
  clock = new Date(Date.UTC(2025, 10, 3, 12, 0, 0))
  store = HistoryStore.open(file, { now: () => clock })
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('HistoryStore Docker actions', () => {
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
      store.operations.recordDockerAction({ environment, endpoint: 'unix:///var/run/docker.sock', container, action: name, outcome: 'succeeded' })
    }
    action('local', 'ops-center-direct', 'create')
    action('local', 'unicorn-postgresql', 'start')
    action('staging', 'ops-center-direct', 'remove')
    action('local', 'ops-center-direct', 'remove')
    store.close()
    store = HistoryStore.open(file, { now: () => clock })

    expect(store.operations.listDockerActions({ environment: 'local', container: 'ops-center-direct' }).map((row) => row.action)).toEqual(['remove', 'create'])
    expect(store.operations.listDockerActions({ limit: 2 }).map((row) => `${row.environment} ${row.action}`)).toEqual(['local remove', 'staging remove'])
    expect(store.operations.listDockerActions()[0]!.detail).toBeNull()
  })
})
