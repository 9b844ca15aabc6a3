import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { closeInterruptedDbOperations } from '@main/database/interrupted-db-operations'
import { createAppContext } from '@main/app/app-context'
import { createDatabaseContext } from '@main/app/database-context'
import { tsxChildEnv } from '@test/support/tsx-child'

const PROJECT_ROOT = path.resolve(__dirname, '../../..')
const OPENER = path.join(PROJECT_ROOT, 'test/fixtures/db-operation-opener.ts')

let dir: string
let file: string

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-interrupted-dbops-'))
  file = path.join(dir, 'history.db')
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the opener, waits for the id of the operation it opened, SIGKILLs it and waits for it to be gone. */
async function operationOfKilledProcess(): Promise<{ id: number; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', OPENER, file], {
    cwd: PROJECT_ROOT,
    env: tsxChildEnv(),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = once(child, 'exit')
  while (!stdout.includes('\n')) {
    if (child.exitCode !== null) throw new Error(`the opener exited by itself: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  child.kill('SIGKILL')
  await exited
  return { id: Number(stdout.trim()), pid: child.pid! }
}

describe('closeInterruptedDbOperations', () => {
  it(
    'closes the operation of a process killed in the middle of it, once, with an event; ' + 'the chain still verifies',
    async () => {
      const killed = await operationOfKilledProcess()
      const store = HistoryStore.open(file)
      try {
        expect(store.operations.listDbOperations({ status: 'running' })).toMatchObject([
          { id: killed.id, owner: { pid: killed.pid, host: os.hostname() } }
        ])
        const closed = closeInterruptedDbOperations({ history: store })
        expect(closed).toMatchObject([
          {
            id: killed.id,
            status: 'interrupted',
            detail: { toVersion: 4, interruption: `pid ${killed.pid} on ${os.hostname()} is gone` }
          }
        ])
        expect(closeInterruptedDbOperations({ history: store })).toEqual([])
        const events = store.events.listEvents({ kinds: ['db_operation'] })
        expect(
          events.map((event) => [event.actor, event.outcome, (event.detail as { startedBy: string }).startedBy])
        ).toEqual([['rampart', 'interrupted', 'killed-dev']])
        expect(store.events.verify()).toMatchObject({ ok: true })
      } finally {
        store.close()
      }
    },
    30_000
  )

  it('leaves an operation whose process still runs, and one owned by another host', () => {
    const store = HistoryStore.open(file)
    const elsewhere = HistoryStore.open(file, { process: { pid: 1, host: `${os.hostname()}-other` } })
    try {
      const mine = store.operations.startDbOperation({
        kind: 'setup',
        environment: 'local',
        database: 'db',
        actor: 'dev'
      })
      const theirs = elsewhere.operations.startDbOperation({
        kind: 'setup',
        environment: 'local',
        database: 'db',
        actor: 'ops'
      })
      expect(closeInterruptedDbOperations({ history: store })).toEqual([])
      expect(store.operations.listDbOperations({ status: 'running' }).map((record) => record.id)).toEqual([
        theirs.id,
        mine.id
      ])
    } finally {
      elsewhere.close()
      store.close()
    }
  })

  it('runs when the app context opens the history file, before anything else is recorded', async () => {
    const killed = await operationOfKilledProcess()
    const context = await createAppContext({
      env: { ...process.env, RAMPART_HOME: dir, RAMPART_WORKSPACE: '' },
      cwd: dir
    })
    try {
      expect(context.services.store.operations.listDbOperations()).toMatchObject([
        { id: killed.id, status: 'interrupted' }
      ])
    } finally {
      context.close()
    }
  }, 30_000)

  it('runs when the database commands open the history file without the rest of the app', async () => {
    const killed = await operationOfKilledProcess()
    const context = createDatabaseContext({
      env: { ...process.env, RAMPART_HOME: dir, RAMPART_WORKSPACE: '' },
      cwd: dir
    })
    try {
      expect(context.store.operations.listDbOperations()).toMatchObject([{ id: killed.id, status: 'interrupted' }])
    } finally {
      context.close()
    }
  }, 30_000)
})
