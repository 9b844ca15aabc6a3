/**
 * Rollback, backup, restore and verify against a real Postgres container (one per file; one
 * database per test), with pg_dump and pg_restore run inside it through Docker exec.
 * Needs the test environment: bash scripts/test-env/up.sh
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresTarget } from '@main/database/postgres-target'
import { catalogObjectKey } from '@main/database/core/catalog-diff'
import type { CatalogObject } from '@shared/migration-types'
import {
  databaseBench,
  PROJECT_MIGRATIONS,
  type BenchEnvironment,
  type DatabaseBench
} from '@test/support/database-bench'
import { POSTGRES_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'
import { rejectionOf } from '@test/support/rampart-error'

let fixture: PostgresFixture
let counter = 0
const benches: DatabaseBench[] = []

beforeAll(async () => {
  fixture = await startPostgresFixture('rollback')
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
})

afterEach(() => {
  for (const bench of benches.splice(0)) bench.close()
})

interface Setup {
  bench: DatabaseBench
  db: PostgresTarget
  database: string
}

/** A fresh database and a service whose "local" environment points at it. */
async function setUp(options: { name?: string; protected?: boolean; migrations?: string } = {}): Promise<Setup> {
  counter += 1
  const database = options.name ?? `rollback_${process.pid}_${counter}`
  const db = await fixture.createDatabase(database)
  const environment: BenchEnvironment = {
    postgres: {
      container: fixture.container,
      image: POSTGRES_FIXTURE_IMAGE,
      host: '127.0.0.1',
      port: fixture.port,
      user: FIXTURE_USER,
      database,
      network: 'host'
    },
    ...(options.protected === undefined ? {} : { protected: options.protected }),
    ...(options.migrations === undefined ? {} : { migrations: options.migrations })
  }
  const bench = databaseBench({
    engine: fixture.engine,
    password: FIXTURE_PASSWORD,
    environments: { local: environment }
  })
  benches.push(bench)
  return { bench, db, database }
}

/** The catalog as a sorted list of identities, for whole-schema comparisons. */
async function catalog(db: PostgresTarget): Promise<string[]> {
  const objects = await db.withSession((session) => session.catalogSnapshot())
  return objects.map((object: CatalogObject) => catalogObjectKey(object)).sort()
}

async function insertHubRows(db: PostgresTarget): Promise<void> {
  await db.query(`
    INSERT INTO organizations (slug, name) VALUES ('acme', 'Acme');
    INSERT INTO llm_providers (slug, display_name, api_base_url) VALUES ('openai', 'OpenAI', 'https://api.openai.com/v1');
    INSERT INTO llm_provider_keys (provider_id, organization_id, label, encrypted_key, key_prefix)
      SELECT p.id, o.id, 'main', '\\x00ff'::bytea, 'sk-ab' FROM llm_providers p, organizations o;
    INSERT INTO llm_models (provider_id, model_key, display_name, context_window)
      SELECT id, 'gpt-x', 'GPT X', 128000 FROM llm_providers;
    INSERT INTO llm_usage_log (request_id, model_id, status)
      SELECT '11111111-2222-3333-4444-555555555555', id, 'success' FROM llm_models;`)
}

async function hubRows(db: PostgresTarget): Promise<Record<string, number>> {
  const rows = await db.query<{ providers: number; keys: number; models: number; usage: number }>(
    `SELECT (SELECT count(*) FROM llm_providers)::int AS providers,
            (SELECT count(*) FROM llm_provider_keys)::int AS keys,
            (SELECT count(*) FROM llm_models)::int AS models,
            (SELECT count(*) FROM llm_usage_log)::int AS usage`
  )
  return rows[0]!
}

async function ledgerVersions(db: PostgresTarget): Promise<number[]> {
  return (await db.query<{ version: number }>('SELECT version FROM rampart_schema_history ORDER BY version')).map(
    (row) => row.version
  )
}

describe('db rollback', () => {
  it('removes exactly what 002 added, and its backup restores the data', async () => {
    const { bench, db } = await setUp()
    await bench.service.migrate({ toVersion: 1 })
    const before002 = await catalog(db)
    await bench.service.migrate({})
    await insertHubRows(db)
    const withRows = await hubRows(db)

    const result = await bench.service.rollback({ confirm: true })

    expect(result.rolledBack.map((migration) => [migration.version, migration.rollbackFile])).toEqual([
      [2, 'rollback_llm_management_tables.sql']
    ])
    expect([result.fromVersion, result.toVersion]).toEqual([2, 1])
    expect(await catalog(db)).toEqual(before002)
    expect(await ledgerVersions(db)).toEqual([1])
    expect(result.verification).toMatchObject({ ok: true, remainingObjects: [], orphans: [] })
    expect(result.verification.foreignKeysChecked).toBeGreaterThan(0)
    expect(result.run.steps.map((step) => step.status)).toEqual(['done', 'done', 'done', 'done'])

    // The backup: complete, named and checksummed as recorded.
    expect(path.dirname(result.backup.file)).toBe(path.join(bench.backups, 'local'))
    expect(readdirSync(path.dirname(result.backup.file))).toEqual([path.basename(result.backup.file)])
    expect(createHash('sha256').update(readFileSync(result.backup.file)).digest('hex')).toBe(result.backup.sha256)
    const [rollbackRecord] = bench.history.operations.listDbOperations({ kind: 'rollback' })
    expect(rollbackRecord).toMatchObject({
      status: 'succeeded',
      backupFile: result.backup.file,
      backupSha256: result.backup.sha256
    })

    const restored = await bench.service.restore({ backupFile: result.backup.file, confirm: true })

    expect(restored.checksumVerified).toBe(true)
    expect(restored.verification.ok).toBe(true)
    expect(await hubRows(db)).toEqual(withRows)
    expect(await ledgerVersions(db)).toEqual([1, 2])
    expect((await bench.service.status({})).currentVersion).toBe(2)
    expect(bench.history.operations.listDbOperations({ kind: 'restore' })[0]?.status).toBe('succeeded')
    expect(bench.history.events.verify().ok).toBe(true)
  }, 120_000)

  it('a failing rollback script leaves schema, data and history unchanged', async () => {
    const { bench: scratch } = await setUp()
    const migrations = path.join(scratch.dir, 'migrations')
    mkdirSync(migrations)
    for (const file of ['001_baseline.sql', '002_llm_management_tables.sql'])
      copyFileSync(path.join(PROJECT_MIGRATIONS, file), path.join(migrations, file))
    // Fails halfway, after two tables are already dropped inside the transaction.
    writeFileSync(
      path.join(migrations, 'rollback_llm_management_tables.sql'),
      'DROP TABLE llm_usage_log;\nDROP TABLE llm_tier_rules;\nSELECT 1 / 0;\nDROP TABLE llm_models;\n'
    )
    const { bench, db } = await setUp({ migrations })
    await bench.service.migrate({})
    await insertHubRows(db)
    const catalogBefore = await catalog(db)
    const rowsBefore = await hubRows(db)

    const error = await rejectionOf(bench.service.rollback({ confirm: true }))

    expect(error.code).toBe('failed')
    expect(error.message).toContain(`${migrations}/rollback_llm_management_tables.sql failed`)
    expect(error.message).toContain('division by zero')
    expect(error.message).toContain('schema, data and history are unchanged')
    expect(await catalog(db)).toEqual(catalogBefore)
    expect(await hubRows(db)).toEqual(rowsBefore)
    expect(await ledgerVersions(db)).toEqual([1, 2])
    expect(bench.history.operations.listDbOperations({ kind: 'rollback' })[0]?.status).toBe('failed')
    // The backup was taken and recorded before the script ran.
    const [backup] = bench.history.operations.listDbOperations({ kind: 'backup' })
    expect(backup?.status).toBe('succeeded')
    expect(existsSync(backup!.backupFile!)).toBe(true)
  }, 120_000)

  it('is refused without confirmation, and in a protected environment without the typed database name', async () => {
    const { bench, db, database } = await setUp({ protected: true })
    await bench.service.migrate({})

    const unconfirmed = await rejectionOf(bench.service.rollback({}))
    const plainYes = await rejectionOf(bench.service.rollback({ confirm: true }))
    const wrongName = await rejectionOf(bench.service.rollback({ confirm: true, confirmation: 'unicorn_test' }))

    expect([unconfirmed.code, plainYes.code, wrongName.code]).toEqual(['refused', 'refused', 'refused'])
    expect(plainYes.message).toContain(`--confirm ${database}`)
    expect(await ledgerVersions(db)).toEqual([1, 2])
    expect(existsSync(bench.backups)).toBe(false)
    expect(bench.history.operations.listDbOperations({ kind: 'rollback' }).map((record) => record.status)).toEqual([
      'refused',
      'refused',
      'refused'
    ])

    const confirmed = await bench.service.rollback({ confirmation: database })
    expect(confirmed.toVersion).toBe(1)
  }, 120_000)

  it('rolls back down to a chosen version one migration at a time and refuses what has no rollback file', async () => {
    const { bench, db } = await setUp()
    await bench.service.migrate({})

    const error = await rejectionOf(bench.service.rollback({ toVersion: 0, confirm: true }))

    expect(error.code).toBe('refused')
    expect(error.message).toContain('001_baseline.sql has no rollback file')
    expect(await ledgerVersions(db)).toEqual([1, 2])
  }, 60_000)

  it('backs up and restores a database whose name holds quotes, spaces and "="', async () => {
    const { bench, db } = await setUp({ name: `roll 'it' "back" =x ${process.pid}` })
    await bench.service.migrate({})
    await insertHubRows(db)
    const rows = await hubRows(db)

    const result = await bench.service.rollback({ confirm: true })
    await bench.service.restore({ backupFile: result.backup.file, confirm: true })

    expect(path.basename(result.backup.file)).toMatch(/^roll_it_back_x_\d+_[0-9a-f]{8}-\d{8}T\d{6}\.\d{3}Z\.dump$/)
    expect(await hubRows(db)).toEqual(rows)
  }, 120_000)
})

describe('db restore', () => {
  it('refuses a backup whose checksum differs from the recorded one, and one it has no record of', async () => {
    const { bench, db } = await setUp()
    await bench.service.migrate({})
    const { backup } = await bench.service.rollback({ confirm: true })
    const copy = path.join(bench.dir, 'copy.dump')
    copyFileSync(backup.file, copy)
    appendFileSync(backup.file, 'x')

    const changed = await rejectionOf(bench.service.restore({ backupFile: backup.file, confirm: true }))
    const unknown = await rejectionOf(bench.service.restore({ backupFile: copy, confirm: true }))

    expect(changed.code).toBe('refused')
    expect(changed.message).toContain(`The backup ${backup.file} has changed since it was taken`)
    expect(changed.message).toContain(backup.sha256)
    expect(unknown.message).toContain(`There is no record of a backup ${copy}`)
    expect(await ledgerVersions(db)).toEqual([1])
    expect(bench.history.runbooks.list({ status: 'running' })).toEqual([])
    expect(bench.history.operations.listDbOperations({ kind: 'restore' }).map((record) => record.status)).toEqual([
      'refused',
      'refused'
    ])

    // --force restores the unchanged copy, marked as not checked.
    const forced = await bench.service.restore({ backupFile: copy, confirm: true, force: true })
    expect(forced.checksumVerified).toBe(false)
    expect(await ledgerVersions(db)).toEqual([1, 2])
  }, 120_000)
})

describe('db verify', () => {
  it(
    'passes on a migrated database, ' + 'then finds orphaned rows and an object the history says should exist',
    async () => {
      const { bench, db } = await setUp()
      await bench.service.migrate({})
      await insertHubRows(db)
      expect(await bench.service.verify({})).toMatchObject({
        ok: true,
        orphans: [],
        missingObjects: [],
        ledgerMissing: false
      })

      // A superuser can switch the FK triggers off; that is how orphans happen in real life too.
      await db.query(`
      ALTER TABLE llm_provider_keys DISABLE TRIGGER ALL;
      INSERT INTO llm_provider_keys (provider_id, label, encrypted_key, key_prefix)
        VALUES (999, 'ghost', '\\x00'::bytea, 'sk-zz');
      ALTER TABLE llm_provider_keys ENABLE TRIGGER ALL;
      DROP INDEX llm_usage_log_user_created_idx;`)

      const verification = await bench.service.verify({})

      expect(verification.ok).toBe(false)
      expect(verification.orphans).toEqual([
        {
          constraint: 'llm_provider_keys_provider_id_fkey',
          table: 'public.llm_provider_keys',
          columns: ['provider_id'],
          references: 'public.llm_providers',
          referencedColumns: ['id'],
          rows: 1
        }
      ])
      expect(verification.missingObjects).toEqual([
        { kind: 'index', schema: 'public', name: 'llm_usage_log_user_created_idx', table: 'llm_usage_log' }
      ])
      expect(bench.history.operations.listDbOperations({ kind: 'verify' }).map((record) => record.status)).toEqual([
        'failed',
        'succeeded'
      ])
    },
    60_000
  )
})
