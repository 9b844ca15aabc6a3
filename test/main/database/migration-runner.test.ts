/**
 * The migration runner against a real Postgres container (one per file; one database per test).
 * Needs the test environment: bash scripts/test-env/up.sh
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { catalogObjectKey, diffCatalog } from '@main/database/core/catalog-diff'
import type { PostgresTarget } from '@main/database/postgres-target'
import { systemClock } from '@main/platform/clock'
import { MigrationRunner, type MigrationRunnerOptions } from '@main/database/migration-runner'
import { RampartError } from '@shared/errors'
import type { CatalogObject, MigrationProgress, MigrationRunResult } from '@shared/migration-types'
import { postgresRestartBudget, startPostgresFixture, type PostgresFixture } from '@test/support/postgres-fixture'
import { waitFor } from '@test/support/docker-test-env'
import { rejectionOf } from '@test/support/rampart-error'

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url))

let fixture: PostgresFixture
let scratch: string
let databaseCounter = 0
const stores: HistoryStore[] = []

beforeAll(async () => {
  fixture = await startPostgresFixture('migrations')
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
})

afterEach(() => {
  for (const store of stores.splice(0)) store.close()
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
})

function freshScratch(): string {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'rampart-migrations-'))
  return scratch
}

async function freshDatabase(): Promise<PostgresTarget> {
  databaseCounter += 1
  return fixture.createDatabase(`migrate_${process.pid}_${databaseCounter}`)
}

/** A migrations folder holding exactly `files`, inside this test's scratch folder. */
function migrationsDir(files: Record<string, string>): string {
  const dir = path.join(scratch, 'migrations')
  mkdirSync(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}

function historyStore(): HistoryStore {
  const store = HistoryStore.open(path.join(scratch, 'history.db'))
  stores.push(store)
  return store
}

function runner(
  target: PostgresTarget,
  directory: string,
  overrides: Partial<MigrationRunnerOptions> = {}
): MigrationRunner {
  return new MigrationRunner({
    target,
    directory,
    history: historyStore(),
    environment: 'test',
    actor: 'migration-test',
    clock: systemClock,
    ...overrides
  })
}

async function ledger(
  target: PostgresTarget
): Promise<Array<{ version: number; name: string; checksum: string; success: boolean }>> {
  return target.query('SELECT version, name, checksum, success FROM rampart_schema_history ORDER BY version')
}

async function tableNames(target: PostgresTarget): Promise<string[]> {
  const rows = await target.query<{ name: string }>(
    'SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
      "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1"
  )
  return rows.map((row) => row.name)
}

describe('migrate: the project migrations', () => {
  it(
    'applies migrations/ to a fresh database: ' +
      'tables, foreign keys, check constraints, indexes, checksummed history',
    async () => {
      freshScratch()
      const target = await freshDatabase()
      const steps: MigrationProgress[] = []
      const result = await runner(target, MIGRATIONS_DIR).migrate({ onProgress: (progress) => steps.push(progress) })

      expect(result.applied.map((migration) => migration.version)).toEqual([1, 2])
      expect(await tableNames(target)).toEqual([
        'llm_models',
        'llm_provider_keys',
        'llm_providers',
        'llm_tier_rules',
        'llm_usage_log',
        'organizations',
        'rampart_schema_history',
        'subscriptions',
        'users'
      ])
      const constraints = await target.query<{ conname: string; contype: string; referenced: string | null }>(
        `SELECT conname, contype, confrelid::regclass::text AS referenced FROM pg_constraint
        WHERE conrelid = 'llm_provider_keys'::regclass ORDER BY conname`
      )
      expect(constraints).toContainEqual({
        conname: 'llm_provider_keys_provider_id_fkey',
        contype: 'f',
        referenced: 'llm_providers'
      })
      expect(constraints).toContainEqual({ conname: 'llm_provider_keys_status_check', contype: 'c', referenced: '-' })
      const indexes = await target.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'llm_usage_log' ORDER BY 1"
      )
      expect(indexes.map((row) => row.indexname)).toEqual([
        'llm_usage_log_model_created_idx',
        'llm_usage_log_org_created_idx',
        'llm_usage_log_pkey',
        'llm_usage_log_provider_key_idx',
        'llm_usage_log_request_id_key',
        'llm_usage_log_user_created_idx'
      ])

      const rows = await ledger(target)
      const expected = ['001_baseline.sql', '002_llm_management_tables.sql'].map((file) =>
        createHash('sha256')
          .update(readFileSync(path.join(MIGRATIONS_DIR, file)))
          .digest('hex')
      )
      expect(rows).toEqual([
        { version: 1, name: 'baseline', checksum: expected[0], success: true },
        { version: 2, name: 'llm_management_tables', checksum: expected[1], success: true }
      ])
      expect(steps.filter((step) => step.step === 'applied').map((step) => step.version)).toEqual([1, 2])
    }
  )

  it('enforces the provider key check constraint and foreign key', async () => {
    freshScratch()
    const target = await freshDatabase()
    await runner(target, MIGRATIONS_DIR).migrate()
    await target.query(
      `INSERT INTO llm_providers (slug, display_name, api_base_url) VALUES ('openai', 'OpenAI', 'https://api.openai.com')`
    )
    const badStatus = target.query(
      `INSERT INTO llm_provider_keys (provider_id, label, encrypted_key, key_prefix, status)
       SELECT id, 'main', '\\x00', 'sk-abc', 'stolen' FROM llm_providers`
    )
    await expect(badStatus).rejects.toMatchObject({ constraint: 'llm_provider_keys_status_check' })
    const orphan = target.query(
      'INSERT INTO llm_provider_keys (provider_id, label, encrypted_key, key_prefix) ' +
        `VALUES (999, 'main', '\\x00', 'sk-abc')`
    )
    await expect(orphan).rejects.toMatchObject({ constraint: 'llm_provider_keys_provider_id_fkey' })
  })

  it('records what 002 created, and its rollback file removes exactly that', async () => {
    freshScratch()
    const target = await freshDatabase()
    await runner(target, MIGRATIONS_DIR).migrate()
    const rows = await target.query<{ created_objects: CatalogObject[] }>(
      'SELECT created_objects FROM rampart_schema_history WHERE version = 2'
    )
    const created = rows[0]!.created_objects
    expect(
      created
        .filter((object) => object.kind === 'table')
        .map((object) => object.name)
        .sort()
    ).toEqual(['llm_models', 'llm_provider_keys', 'llm_providers', 'llm_tier_rules', 'llm_usage_log'])
    expect(created).toContainEqual({
      kind: 'constraint',
      schema: 'public',
      name: 'llm_provider_keys_provider_id_fkey',
      table: 'llm_provider_keys',
      constraintType: 'f'
    })
    expect(created).toContainEqual({
      kind: 'index',
      schema: 'public',
      name: 'llm_usage_log_user_created_idx',
      table: 'llm_usage_log'
    })

    await target.withSession(async (session) => {
      const before = await session.catalogSnapshot()
      await session.query('BEGIN')
      await session.execScript(readFileSync(path.join(MIGRATIONS_DIR, 'rollback_llm_management_tables.sql'), 'utf8'))
      const after = await session.catalogSnapshot()
      await session.query('ROLLBACK')
      const gone = diffCatalog(before, after).dropped
      expect(gone.map(catalogObjectKey).sort()).toEqual(created.map(catalogObjectKey).sort())
    })
  })

  it('runs the seed files twice with the same result', async () => {
    freshScratch()
    const target = await freshDatabase()
    await runner(target, MIGRATIONS_DIR).migrate()
    const counts = async (): Promise<unknown> =>
      target.query(
        'SELECT (SELECT count(*) FROM llm_tier_rules)::int AS rules, (SELECT count(*) FROM users)::int AS users, ' +
          '(SELECT count(*) FROM subscriptions)::int AS subscriptions'
      )
    for (const seed of ['tier_rules.sql', 'test_users.sql']) {
      await target.withSession((session) =>
        session.execScript(readFileSync(path.join(MIGRATIONS_DIR, 'seeds', seed), 'utf8'))
      )
    }
    const first = await counts()
    for (const seed of ['tier_rules.sql', 'test_users.sql']) {
      await target.withSession((session) =>
        session.execScript(readFileSync(path.join(MIGRATIONS_DIR, 'seeds', seed), 'utf8'))
      )
    }
    expect(await counts()).toEqual(first)
    expect(first).toEqual([{ rules: 6, users: 5, subscriptions: 3 }])
  })

  it('finds nothing to do on a second run, and records both runs in the history file', async () => {
    freshScratch()
    const target = await freshDatabase()
    await runner(target, MIGRATIONS_DIR).migrate()
    const second = await runner(target, MIGRATIONS_DIR).migrate()
    expect(second).toMatchObject({ upToDate: true, applied: [], fromVersion: 2, toVersion: 2 })

    const operations = historyStore().operations.listDbOperations({ kind: 'migrate' })
    expect(operations.map((operation) => operation.status)).toEqual(['succeeded', 'succeeded'])
    expect(operations[1]).toMatchObject({ environment: 'test', actor: 'migration-test', database: target.describe() })
    expect(
      (operations[1]!.detail as { applied: Array<{ version: number }> }).applied.map((entry) => entry.version)
    ).toEqual([1, 2])
    expect(JSON.stringify(operations)).not.toContain('rampart-test-password')
  })
})

describe('migrate: failures leave schema and history as they were', () => {
  const good = {
    '001_first.sql': 'CREATE TABLE first_table (id int PRIMARY KEY);\nINSERT INTO first_table VALUES (1);\n'
  }

  it('a syntax error in the middle of a migration applies none of it and names the file and line', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({
      ...good,
      '002_broken.sql':
        'CREATE TABLE half_a (id int);\nINSERT INTO half_a VALUES (1);\nSELEC 1;\nCREATE TABLE half_b (id int);\n'
    })
    await runner(target, dir).migrate({ toVersion: 1 })
    const schemaBefore = await target.withSession((session) => session.catalogSnapshot())
    const ledgerBefore = await ledger(target)

    const error = await rejectionOf(runner(target, dir).migrate())
    expect(error.code).toBe('failed')
    expect(error.message).toContain(`${dir}/002_broken.sql failed at line 3: syntax error at or near "SELEC"`)
    expect(error.message).toContain('the schema and the history are as they were before it')
    expect(await target.withSession((session) => session.catalogSnapshot())).toEqual(schemaBefore)
    expect(await ledger(target)).toEqual(ledgerBefore)
  })

  it('an error at run time halfway through rolls back what the migration had already done', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({
      ...good,
      '002_runtime.sql':
        'CREATE TABLE half_a (id int PRIMARY KEY);\nINSERT INTO half_a VALUES (1);\nINSERT INTO half_a VALUES (1);\n'
    })
    const error = await rejectionOf(runner(target, dir).migrate())
    expect(error.message).toContain('002_runtime.sql failed')
    expect(error.message).toContain('duplicate key value violates unique constraint "half_a_pkey"')
    expect(await tableNames(target)).toEqual(['first_table', 'rampart_schema_history'])
    expect((await ledger(target)).map((row) => row.version)).toEqual([1])
    expect(historyStore().operations.listDbOperations({ kind: 'migrate' })[0]).toMatchObject({ status: 'failed' })
  })

  it('refuses a file with its own COMMIT before touching the database', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({ '001_tx.sql': 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n' })
    const error = await rejectionOf(runner(target, dir).migrate())
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(`${dir}/001_tx.sql line 1: BEGIN controls the transaction`)
    expect(await tableNames(target)).toEqual([])
  })
})

describe('migrate: the no-transaction header', () => {
  it('runs CREATE INDEX CONCURRENTLY outside a transaction and records it', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({
      '001_table.sql': 'CREATE TABLE events (id int, kind text);',
      '002_index.sql':
        '-- rampart:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS events_kind_idx ON events (kind);\n'
    })
    const result = await runner(target, dir).migrate()
    expect(result.applied.map((migration) => [migration.version, migration.transactional])).toEqual([
      [1, true],
      [2, false]
    ])
    expect(result.applied[1]!.created).toEqual([
      { kind: 'index', schema: 'public', name: 'events_kind_idx', table: 'events' }
    ])
  })

  it('records a failed no-transaction migration, blocks until repair, then runs it again', async () => {
    freshScratch()
    const target = await freshDatabase()
    const files = {
      '001_table.sql': 'CREATE TABLE events (id int, kind text);',
      '002_index.sql':
        '-- rampart:no-transaction\nCREATE INDEX CONCURRENTLY events_kind_idx ON events (no_such_column);\n'
    }
    const dir = migrationsDir(files)
    const error = await rejectionOf(runner(target, dir).migrate())
    expect(error.message).toContain('002_index.sql failed')
    expect(error.message).toContain('rampart db repair')

    const status = await runner(target, dir).status()
    expect(status.entries.map((entry) => entry.state)).toEqual(['applied', 'failed'])
    expect(status.blocked).toBe(true)
    const refused = await rejectionOf(runner(target, dir).migrate())
    expect(refused.code).toBe('refused')
    expect(refused.message).toContain('002_index.sql failed on')

    const repaired = await runner(target, dir).repair()
    expect(repaired.actions).toMatchObject([{ version: 2, action: 'removed' }])
    writeFileSync(
      path.join(dir, '002_index.sql'),
      '-- rampart:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS events_kind_idx ON events (kind);\n'
    )
    const result = await runner(target, dir).migrate()
    expect(result.applied.map((migration) => migration.version)).toEqual([2])
  })
})

describe('migrate: drift', () => {
  it('detects an edited applied file, refuses to migrate naming it, and works again after repair', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({
      '001_first.sql': 'CREATE TABLE first_table (id int);\n',
      '002_second.sql': 'CREATE TABLE second_table (id int);\n'
    })
    await runner(target, dir).migrate()
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int, note text);\n')
    writeFileSync(path.join(dir, '003_third.sql'), 'CREATE TABLE third_table (id int);\n')

    const status = await runner(target, dir).status()
    expect(status.entries.map((entry) => [entry.version, entry.state])).toEqual([
      [1, 'changed'],
      [2, 'applied'],
      [3, 'pending']
    ])
    expect(status.blocked).toBe(true)

    const refused = await rejectionOf(runner(target, dir).migrate())
    expect(refused.code).toBe('refused')
    expect(refused.message).toContain('001_first.sql changed after it was applied')
    expect(refused.message).toContain('rampart db repair')
    expect(await tableNames(target)).not.toContain('third_table')

    const repaired = await runner(target, dir).repair()
    expect(repaired.actions).toMatchObject([{ version: 1, action: 'realigned' }])
    expect((await runner(target, dir).status()).blocked).toBe(false)
    const result = await runner(target, dir).migrate()
    expect(result.applied.map((migration) => migration.version)).toEqual([3])
    expect(
      historyStore()
        .operations.listDbOperations()
        .map((operation) => [operation.kind, operation.status])
    ).toEqual([
      ['migrate', 'succeeded'],
      ['repair', 'succeeded'],
      ['migrate', 'refused'],
      ['migrate', 'succeeded']
    ])
  })

  it('reports a ledger row whose file is gone as missing, and repair removes it', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir({ '001_first.sql': 'SELECT 1;', '002_second.sql': 'SELECT 2;' })
    await runner(target, dir).migrate()
    rmSync(path.join(dir, '002_second.sql'))
    const status = await runner(target, dir).status()
    expect(status.entries.map((entry) => entry.state)).toEqual(['applied', 'missing'])
    expect(status.blockedReason).toContain('version 2 (second) is in the history')
    await runner(target, dir).repair()
    expect((await ledger(target)).map((row) => row.version)).toEqual([1])
  })
})

describe('migrate: two runs at once', () => {
  // The first migration waits on an advisory lock the test holds, so whichever run gets the
  // migration lock stays inside its migration until the test has seen the other one wait.
  const GATE = 4242
  const gated = {
    '001_gated.sql':
      'CREATE TABLE applied_once (version int PRIMARY KEY);\nINSERT INTO applied_once VALUES (1);\n' +
      `SELECT pg_advisory_xact_lock(${GATE});\n`,
    '002_after.sql': 'INSERT INTO applied_once VALUES (2);\n'
  }

  it('one run waits for the other, then finds nothing to do; nothing is applied twice', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir(gated)
    const gate = await target.connect({ applicationName: 'test gate' })
    let runs: Array<Promise<MigrationRunResult>> = []
    try {
      await gate.query('SELECT pg_advisory_lock($1)', [GATE])
      const progress: Array<{ run: string; progress: MigrationProgress }> = []
      runs = ['A', 'B'].map((name) =>
        runner(target, dir).migrate({ onProgress: (entry) => progress.push({ run: name, progress: entry }) })
      )
      const waiting = await waitFor('one run to wait for the migration lock', async () =>
        progress.find((entry) => entry.progress.step === 'lock' && entry.progress.message.startsWith('waiting'))
      )
      await gate.query('SELECT pg_advisory_unlock($1)', [GATE])
      const results = await Promise.all(runs)

      const holder = progress.find(
        (entry) => entry.run !== waiting.run && entry.progress.message.startsWith('migration lock taken')
      )
      const holderPid = /pid (\d+)/.exec(holder!.progress.message)![1]
      expect(waiting.progress.message).toContain(`pid ${holderPid}, "rampart migrate migration-test"`)
      const [first, second] = waiting.run === 'A' ? [results[1]!, results[0]!] : [results[0]!, results[1]!]
      expect(first.applied.map((migration) => migration.version)).toEqual([1, 2])
      expect(second).toMatchObject({ upToDate: true, applied: [] })
      expect(await target.query('SELECT version FROM applied_once ORDER BY version')).toEqual([
        { version: 1 },
        { version: 2 }
      ])
      expect((await ledger(target)).map((row) => row.version)).toEqual([1, 2])
    } finally {
      // Closing the gate session releases its lock, so no run is left waiting after the test.
      await gate.close()
      await Promise.allSettled(runs)
    }
  })

  it('a run that waits longer than its limit fails clearly, naming the holder, and applies nothing', async () => {
    freshScratch()
    const target = await freshDatabase()
    const dir = migrationsDir(gated)
    const gate = await target.connect({ applicationName: 'test gate' })
    let holding: Promise<MigrationRunResult> | undefined
    try {
      await gate.query('SELECT pg_advisory_lock($1)', [GATE])
      const holderSteps: MigrationProgress[] = []
      holding = runner(target, dir).migrate({ onProgress: (entry) => holderSteps.push(entry) })
      const taken = await waitFor('the first run to take the lock', async () =>
        holderSteps.find((entry) => entry.message.startsWith('migration lock taken'))
      )
      const error = await rejectionOf(runner(target, dir, { lockWaitMs: 500 }).migrate())
      expect(error.code).toBe('conflict')
      expect(error.message).toMatch(
        /^Another migration run holds the lock on rampart@127\.0\.0\.1:\d+\/migrate_\d+_\d+: pid \d+/
      )
      expect(error.message).toContain(`pid ${/pid (\d+)/.exec(taken.message)![1]}, "rampart migrate migration-test"`)

      await gate.query('SELECT pg_advisory_unlock($1)', [GATE])
      await holding
      expect(await target.query('SELECT version FROM applied_once ORDER BY version')).toEqual([
        { version: 1 },
        { version: 2 }
      ])
      expect(
        historyStore()
          .operations.listDbOperations({ kind: 'migrate' })
          .map((operation) => operation.status)
          .sort()
      ).toEqual(['refused', 'succeeded'])
    } finally {
      await gate.close()
      await holding?.catch(() => undefined)
    }
  })
})

describe('migrate: Postgres killed in the middle', () => {
  it(
    'keeps every committed migration, applies nothing of the one running, and the next run completes',
    async () => {
      freshScratch()
      const target = await freshDatabase()
      const dir = migrationsDir({
        '001_committed.sql':
          'CREATE TABLE kill_probe (id int PRIMARY KEY, note text);\n' +
          "INSERT INTO kill_probe VALUES (1, 'committed before the kill');\n" +
          'CREATE TABLE sleep_gate (armed boolean NOT NULL);\nINSERT INTO sleep_gate VALUES (true);\n',
        '002_slow.sql':
          'CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\n' +
          'SELECT pg_sleep(CASE WHEN (SELECT armed FROM sleep_gate) THEN 600 ELSE 0 END);\n'
      })
      const steps: MigrationProgress[] = []
      const run = runner(target, dir).migrate({ onProgress: (entry) => steps.push(entry) })
      const settled = run.then(
        () => null,
        (error: unknown) => error
      )
      await waitFor('002_slow.sql to be sleeping inside its transaction', async () => {
        if (!steps.some((entry) => entry.step === 'apply' && entry.version === 2)) return undefined
        const rows = await fixture.admin.query(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' " +
            "AND query LIKE '%pg_sleep%' AND application_name LIKE 'rampart migrate%'",
          [target.database]
        )
        return rows.length > 0 ? true : undefined
      })

      await fixture.kill()
      const error = await settled
      expect(error).toBeInstanceOf(RampartError)
      expect((error as RampartError).code).toBe('unreachable')
      expect((error as RampartError).message).toContain('002_slow.sql')
      expect((error as RampartError).message).toContain('nothing of 002_slow.sql was applied')

      await fixture.restart()
      expect(await target.query('SELECT id, note FROM kill_probe')).toEqual([
        { id: 1, note: 'committed before the kill' }
      ])
      expect((await ledger(target)).map((row) => [row.version, row.success])).toEqual([[1, true]])
      expect(await tableNames(target)).not.toContain('half_done')

      await target.query('UPDATE sleep_gate SET armed = false')
      const next = await runner(target, dir).migrate()
      expect(next.applied.map((migration) => migration.version)).toEqual([2])
      expect(await target.query('SELECT id FROM half_done')).toEqual([{ id: 1 }])
      expect(
        historyStore()
          .operations.listDbOperations({ kind: 'migrate' })
          .map((operation) => operation.status)
      ).toEqual(['succeeded', 'failed'])
    },
    // One kill and restart of the fixture, two migrate runs and the wait for the sleeping migration.
    postgresRestartBudget(1, 30_000)
  )
})
