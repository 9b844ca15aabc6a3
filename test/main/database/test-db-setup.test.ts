/**
 * Test-database setup against the real Docker engine and a Postgres container that setup itself
 * creates (host networking, 127.0.0.1, a free port, rampart.test=1), removed afterwards.
 * Needs the test environment: bash scripts/test-env/up.sh
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { PostgresTarget } from '@main/database/postgres-target'
import type { TestDbSetupResult } from '@shared/db-types'
import { databaseBench, type BenchEnvironment, type DatabaseBench } from '@test/support/database-bench'
import {
  connectTestEngine,
  freePort,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  uniqueContainerName
} from '@test/support/docker-test-env'
import { rejectionOf } from '@test/support/rampart-error'

const USER = 'unicorn'
const PASSWORD = 'setup-test-password'
const INJECTION = 'x"; DROP DATABASE postgres; --'

let engine: DockerEngine
let container: string
let port: number
const benches: DatabaseBench[] = []

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  container = uniqueContainerName('setup')
  port = await freePort()
}, 60_000)

afterAll(async () => {
  if (engine !== undefined) {
    await removeContainers(engine, [container])
    engine.close()
  }
})

afterEach(() => {
  for (const bench of benches.splice(0)) bench.close()
})

function postgres(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    container,
    image: POSTGRES_FIXTURE_IMAGE,
    host: '127.0.0.1',
    port,
    user: USER,
    database: 'unicorn_test',
    disposable: true,
    network: 'host',
    ...overrides
  }
}

function bench(environment: BenchEnvironment): DatabaseBench {
  const created = databaseBench({ engine, password: PASSWORD, environments: { local: environment } })
  benches.push(created)
  return created
}

function target(database: string): PostgresTarget {
  return new PostgresTarget({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database,
    connectTimeoutMs: 3000
  })
}

const STEP_NAMES = [
  'Ensure the Postgres container runs',
  'Wait until Postgres accepts connections',
  'Terminate connections to unicorn_test',
  'Drop database unicorn_test',
  'Create database unicorn_test',
  'Apply the baseline schema',
  'Apply migrations',
  'Seed the tier rules',
  'Create the test users',
  'Show the connection string'
]

describe('test-database setup (setup_test_db.sh as a runbook)', () => {
  let first: TestDbSetupResult

  it(
    'from nothing: creates and starts the container, ' + 'waits for SELECT 1, creates the database, migrates, seeds',
    async () => {
      expect(await engine.inspectContainer(container)).toBeNull()
      const { service, history, progress } = bench({ postgres: postgres() })

      first = await service.setup({})

      const info = await engine.inspectContainer(container)
      expect(info?.state).toBe('running')
      expect(info?.labels).toMatchObject({ 'rampart.managed': '1', 'rampart.test': '1' })
      expect(first.containerCreated).toBe(true)
      expect(first.run.steps.map((step) => [step.name, step.status])).toEqual(STEP_NAMES.map((name) => [name, 'done']))
      expect(first.run.steps.every((step) => step.durationMs !== null)).toBe(true)
      expect(first.baselineVersion).toBe(1)
      expect(first.appliedVersions).toEqual([1, 2])
      expect(first.seeds).toEqual(['seeds/tier_rules.sql', 'seeds/test_users.sql'])

      const db = target('unicorn_test')
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM llm_tier_rules'))[0]?.n).toBe(6)
      const emails = (await db.query<{ email: string }>('SELECT email FROM users ORDER BY email')).map(
        (row) => row.email
      )
      expect(emails).toContain('admin@example.com')
      expect(emails).toContain('admin@your-domain.com')
      expect(
        (await db.query<{ version: number }>('SELECT version FROM rampart_schema_history ORDER BY version')).map(
          (row) => row.version
        )
      ).toEqual([1, 2])

      // Every step visible live, and the operation recorded.
      expect(progress.filter((item) => item.kind === 'step_done').map((item) => item.step)).toEqual(STEP_NAMES)
      const [setupRecord] = history.operations.listDbOperations({ kind: 'setup' })
      expect(setupRecord?.status).toBe('succeeded')
      expect(setupRecord?.database).toBe(`${USER}@127.0.0.1:${port}/unicorn_test`)
    },
    240_000
  )

  it('shows the connection string without the password, naming its variable instead', () => {
    expect(first.connectionString).toBe(`postgresql://${USER}@127.0.0.1:${port}/unicorn_test`)
    expect(first.password).toBe('password from ${RAMPART_TEST_PG_PASSWORD}')
    expect(JSON.stringify(first)).not.toContain(PASSWORD)
  })

  it('again: drops and recreates the database, even with a session still connected to it', async () => {
    const db = target('unicorn_test')
    await db.query('CREATE TABLE marker_between_runs (id int)')
    const lingering = await db.connect({ applicationName: 'lingering test session' })
    const { service, history } = bench({ postgres: postgres() })

    const second = await service.setup({})

    expect(second.containerCreated).toBe(false)
    expect(second.run.steps.find((step) => step.name === 'Terminate connections to unicorn_test')?.message).toBe(
      'terminated 1 connection'
    )
    const markers = await db.query<{ found: boolean }>("SELECT to_regclass('marker_between_runs') IS NOT NULL AS found")
    expect(markers[0]?.found).toBe(false)
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]?.n).toBeGreaterThan(0)
    await expect(lingering.query('SELECT 1')).rejects.toThrow()
    await lingering.close()
    expect(history.events.verify().ok).toBe(true)
  }, 120_000)

  it('starts the container when it exists but is stopped', async () => {
    await engine.stopContainer(container, { timeoutSeconds: 10 })
    const { service } = bench({ postgres: postgres() })

    const result = await service.setup({})

    expect(result.containerStarted).toBe(true)
    expect(result.run.steps[0]?.message).toBe(`started ${container} (it was exited)`)
    expect((await engine.inspectContainer(container))?.state).toBe('running')
  }, 120_000)

  it('is refused for a database not marked disposable, before anything is touched', async () => {
    const db = target('unicorn_test')
    await db.query('CREATE TABLE survives_refusal (id int)')
    const { service, history } = bench({ postgres: postgres({ disposable: false }) })

    const error = await rejectionOf(service.setup({}))

    expect(error.code).toBe('refused')
    expect(error.message).toContain('"unicorn_test", which environment "local" does not mark disposable')
    expect(history.runbooks.list()).toEqual([])
    expect(history.operations.listDbOperations({ kind: 'setup' }).map((record) => record.status)).toEqual(['refused'])
    expect(
      (await db.query<{ found: boolean }>("SELECT to_regclass('survives_refusal') IS NOT NULL AS found"))[0]?.found
    ).toBe(true)
  })

  it('is refused in a protected environment even for a disposable database', async () => {
    const { service, history } = bench({ postgres: postgres(), protected: true })

    const error = await rejectionOf(service.setup({}))

    expect(error.code).toBe('refused')
    expect(error.message).toContain('environment "local" is protected')
    expect(history.runbooks.list()).toEqual([])
    expect(
      (
        await target('unicorn_test').query<{ found: boolean }>(
          "SELECT to_regclass('survives_refusal') IS NOT NULL AS found"
        )
      )[0]?.found
    ).toBe(true)
  })

  it(
    'quotes names as identifiers: a database named x"; ' +
      'DROP DATABASE postgres; -- is created as named, postgres survives',
    async () => {
      const { service } = bench({ postgres: postgres({ database: INJECTION }) })

      const result = await service.setup({})
      const again = await service.setup({})

      const names = (await target('postgres').query<{ datname: string }>('SELECT datname FROM pg_database')).map(
        (row) => row.datname
      )
      expect(names).toContain(INJECTION)
      expect(names).toContain('postgres')
      expect(names).toContain('unicorn_test')
      expect(result.connectionString).toBe(
        `postgresql://${USER}@127.0.0.1:${port}/x%22%3B%20DROP%20DATABASE%20postgres%3B%20--`
      )
      expect(again.appliedVersions).toEqual([1, 2])
      expect(
        (await target(INJECTION).query<{ n: number }>('SELECT count(*)::int AS n FROM llm_tier_rules'))[0]?.n
      ).toBe(6)
    },
    120_000
  )
})
