/**
 * Postgres stopped (`docker stop`) in the middle of test-database setup and in the middle of a
 * rollback, on a Postgres container of this file's own. The project's migrations are copied with
 * one addition: 002 and its rollback end in a sleep that runs only while the role setting
 * `rampart_fault.sleep` is on, so the server is stopped exactly while that transaction is open.
 * Each time: a clear failure naming the file, nothing half-done (no half-applied migration, the
 * ledger and the history consistent, the backup intact), and the same call completes once
 * Postgres is back.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresTarget } from '@main/database/postgres-target'
import { type RampartError } from '@shared/errors'
import { databaseBench, PROJECT_MIGRATIONS, type DatabaseBench } from '@test/support/database-bench'
import { POSTGRES_FIXTURE_IMAGE, waitFor } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'
import { rejectionOf } from '@test/support/rampart-error'

const docker = promisify(execFile)
const SLEEP_SETTING = 'rampart_fault.sleep'
const SLEEP_SECONDS = `CASE WHEN current_setting('${SLEEP_SETTING}', true) = 'on' THEN 600 ELSE 0 END`
const GATED_SLEEP = `\nSELECT pg_sleep(${SLEEP_SECONDS});\n`
const FORWARD = '002_llm_management_tables.sql'
const ROLLBACK = 'rollback_llm_management_tables.sql'
/** Stop, restart and ready again: a Postgres start on a busy machine, twice over at most. */
const FAULT_BUDGET_MS = 150_000

let fixture: PostgresFixture
let migrations: string
const benches: DatabaseBench[] = []

beforeAll(async () => {
  fixture = await startPostgresFixture('pg-stopped')
  migrations = mkdtempSync(path.join(os.tmpdir(), 'rampart-pg-stopped-migrations-'))
  cpSync(PROJECT_MIGRATIONS, migrations, { recursive: true })
  appendFileSync(path.join(migrations, FORWARD), GATED_SLEEP)
  appendFileSync(path.join(migrations, ROLLBACK), GATED_SLEEP)
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
  if (migrations !== undefined) rmSync(migrations, { recursive: true, force: true })
})

afterEach(async () => {
  for (const bench of benches.splice(0)) bench.close()
  await sleepInDatabase(false).catch(() => undefined)
})

function benchFor(database: string): DatabaseBench {
  const bench = databaseBench({
    engine: fixture.engine,
    password: FIXTURE_PASSWORD,
    environments: {
      local: {
        postgres: {
          container: fixture.container,
          image: POSTGRES_FIXTURE_IMAGE,
          host: '127.0.0.1',
          port: fixture.port,
          user: FIXTURE_USER,
          database,
          disposable: true,
          network: 'host'
        },
        migrations
      }
    }
  })
  benches.push(bench)
  return bench
}

/** Turns the gated sleep on or off for every new session of the fixture's role. */
async function sleepInDatabase(on: boolean): Promise<void> {
  await fixture.admin.query(
    on ? `ALTER ROLE ${FIXTURE_USER} SET ${SLEEP_SETTING} = 'on'` : `ALTER ROLE ${FIXTURE_USER} RESET ${SLEEP_SETTING}`
  )
}

/**
 * Waits until a session of `database` sleeps inside the gated statement, then stops the
 * container; fails at once, with the reason, if `operation` ended before it got there.
 */
async function stopPostgresWhileSleeping(database: string, operation: Promise<RampartError>): Promise<void> {
  let ended: RampartError | Error | undefined
  operation.then(
    (error) => (ended = error),
    (error: Error) => (ended = error)
  )
  await waitFor(
    `a session of ${database} to sleep inside its migration transaction`,
    async () => {
      if (ended !== undefined) throw new Error(`the operation ended before Postgres was stopped: ${ended.message}`)
      // By its wait event: the text in pg_stat_activity is cut at 1 KiB, before the sleep at the end of 002.
      const rows = await fixture.admin.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND wait_event = 'PgSleep'",
        [database]
      )
      return rows.length > 0 ? true : undefined
    },
    60_000
  )
  await docker('docker', ['stop', '--time', '5', fixture.container])
}

async function ledger(db: PostgresTarget): Promise<Array<[number, boolean]>> {
  const rows = await db.query<{ version: number; success: boolean }>(
    'SELECT version, success FROM public.rampart_schema_history ORDER BY version'
  )
  return rows.map((row) => [row.version, row.success])
}

async function hubTables(db: PostgresTarget): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'llm_%' ORDER BY 1"
  )
  return rows.map((row) => row.name)
}

/** What the history must say after a failure: chain intact, nothing left running, the run failed at `step`. */
function expectHistoryConsistent(bench: DatabaseBench, step: string): void {
  expect(bench.history.events.verify().ok).toBe(true)
  expect(bench.history.operations.listDbOperations({ status: 'running' })).toEqual([])
  const run = bench.history.runbooks.list()[0]!
  expect(run.status).toBe('failed')
  expect(run.steps.find((candidate) => candidate.status === 'failed')?.name).toBe(step)
}

describe('Postgres stopped in the middle of a database operation', () => {
  it(
    'test-database setup: fails naming the migration, applies none of it, and the next setup completes',
    async () => {
      const database = 'stopped_during_setup'
      const bench = benchFor(database)
      await sleepInDatabase(true)

      const failed = rejectionOf(bench.service.setup({}))
      await stopPostgresWhileSleeping(database, failed)
      const error = await failed

      expect(error.message).toContain(FORWARD)
      expect(error.message).not.toMatch(/\n {4}at /)
      await fixture.restart()
      await sleepInDatabase(false)
      const db = fixture.targetFor(database)
      expect(await ledger(db)).toEqual([[1, true]])
      expect(await hubTables(db)).toEqual([])
      expectHistoryConsistent(bench, 'Apply migrations')

      const again = await bench.service.setup({})
      expect(again.appliedVersions).toEqual([1, 2])
      expect(await ledger(db)).toEqual([
        [1, true],
        [2, true]
      ])
      expect(bench.history.events.verify().ok).toBe(true)
    },
    FAULT_BUDGET_MS
  )

  it(
    'rollback: fails naming the rollback file, changes nothing, keeps its backup intact; the next rollback completes',
    async () => {
      const database = 'stopped_during_rollback'
      const bench = benchFor(database)
      await bench.service.setup({})
      const db = fixture.targetFor(database)
      const tablesBefore = await hubTables(db)
      await sleepInDatabase(true)

      const failed = rejectionOf(bench.service.rollback({ confirm: true }))
      await stopPostgresWhileSleeping(database, failed)
      const error = await failed

      expect(error.message).toContain(ROLLBACK)
      expect(error.message).not.toMatch(/\n {4}at /)
      await fixture.restart()
      await sleepInDatabase(false)
      expect(await ledger(db)).toEqual([
        [1, true],
        [2, true]
      ])
      expect(await hubTables(db)).toEqual(tablesBefore)
      expectHistoryConsistent(bench, `Roll back ${FORWARD} (${ROLLBACK})`)
      const [backup] = bench.history.operations.listDbOperations({ kind: 'backup' })
      expect(backup?.status).toBe('succeeded')
      expect(error.message).toContain(backup!.backupFile!)
      expect(createHash('sha256').update(readFileSync(backup!.backupFile!)).digest('hex')).toBe(backup!.backupSha256)

      const again = await bench.service.rollback({ confirm: true })
      expect(again.toVersion).toBe(1)
      expect(await ledger(db)).toEqual([[1, true]])
      expect(await hubTables(db)).toEqual([])
      expect(bench.history.events.verify().ok).toBe(true)
    },
    FAULT_BUDGET_MS
  )
})
