import { RampartError } from '@shared/errors'
import type { TestDbSetupResult } from '@shared/db-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { connectionString, passwordSource } from './core/connection-string'
import type { Migration } from './core/migration-files'
import { lineAtOffset, splitSqlStatements } from './core/sql-statements'
import { refuseUnsafeTestDbSetup } from './core/test-db-guard'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'
import type { ContainerSpec } from '@main/docker/core/container-spec'
import type { DockerEngine } from '@main/docker/docker-engine'
import { PostgresTarget, quoteIdentifier } from './postgres-target'
import { readSeedFile, type SeedFile } from './seed-file'
import type { Clock } from '@main/platform/clock'
import { DbOperationJournal, type DbOperationHistory } from './db-operation-journal'
import { MigrationRunner } from './migration-runner'
import type { RunbookStep } from '@main/runbooks/runbook-definition'
import type { RunbookRunner } from '@main/runbooks/runbook-runner'

const MAINTENANCE_DATABASE = 'postgres'
const DEFAULT_READY_TIMEOUT_MS = 90_000
const TIER_RULES_SEED = 'seeds/tier_rules.sql'
const TEST_USERS_SEED = 'seeds/test_users.sql'
// DROP DATABASE … WITH (FORCE) exists from Postgres 13 on.
const FORCE_DROP_SINCE = 130_000

export interface TestDbSetupDeps {
  history: DbOperationHistory
  runbooks: RunbookRunner
  clock: Clock
  actor: string
  /** Added to the labels of a container that setup creates (tests mark theirs rampart.test=1). */
  containerLabels?: Record<string, string>
  readyTimeoutMs?: number
}

export interface TestDbSetupRequest {
  environment: string
  config: EnvironmentConfig
  /** Where the password's ${VAR} reference is resolved. */
  env: Readonly<Record<string, string | undefined>>
  engine: DockerEngine
  /** Absolute path of the environment's migrations folder. */
  migrationsDirectory: string
  /** The workspace file (or "the built-in default workspace"), for messages. */
  source: string
}

interface SetupState {
  containerCreated: boolean
  containerStarted: boolean
  serverVersion: string | null
  baselineVersion: number | null
  appliedVersions: number[]
  seeds: string[]
  connectionString: string
}

/**
 * The seed's setup_test_db.sh as a runbook with one visible, recorded step each: container,
 * readiness, terminate connections, drop, create, baseline, migrations, tier rules, test users,
 * connection string. Every step may run twice without harm, so running setup again simply gives
 * a fresh database. Names reach SQL only as quoted identifiers or parameters.
 */
export class TestDbSetup {
  private readonly journal: DbOperationJournal

  constructor(private readonly deps: TestDbSetupDeps) {
    this.journal = new DbOperationJournal({ history: deps.history, actor: deps.actor })
  }

  async run(request: TestDbSetupRequest): Promise<TestDbSetupResult> {
    const { environment, config } = request
    const pg = config.postgres
    const record = {
      kind: 'setup',
      environment,
      database: `${pg.user}@${pg.host}:${pg.port}/${pg.database}`,
      detail: { container: pg.container, image: pg.image, network: pg.network, migrations: request.migrationsDirectory }
    }
    // Everything that can refuse is checked before the first step touches anything.
    let prepared: {
      admin: PostgresTarget
      target: PostgresTarget
      runner: MigrationRunner
      migrations: Migration[]
      tierRules: SeedFile | null
      testUsers: SeedFile | null
    }
    try {
      refuseUnsafeTestDbSetup(environment, config, request.source)
      const admin = PostgresTarget.fromEnvironment(environment, pg, request.env, { database: MAINTENANCE_DATABASE })
      const target = PostgresTarget.fromEnvironment(environment, pg, request.env)
      const runner = new MigrationRunner({
        target,
        directory: request.migrationsDirectory,
        history: this.deps.history,
        environment,
        actor: this.deps.actor,
        clock: this.deps.clock
      })
      prepared = {
        admin,
        target,
        runner,
        migrations: runner.loadMigrations(),
        tierRules: readSeedFile(request.migrationsDirectory, TIER_RULES_SEED),
        testUsers: readSeedFile(request.migrationsDirectory, TEST_USERS_SEED)
      }
    } catch (error) {
      this.journal.failBeforeStart(record, error)
    }
    const { admin, target, runner, migrations, tierRules, testUsers } = prepared
    const baseline = migrations.find((migration) => migration.name.toLowerCase() === 'baseline') ?? null
    const state: SetupState = {
      containerCreated: false,
      containerStarted: false,
      serverVersion: null,
      baselineVersion: null,
      appliedVersions: [],
      seeds: [],
      connectionString: connectionString({ user: pg.user, host: pg.host, port: pg.port, database: pg.database })
    }
    const password = passwordSource(pg.password)
    const database = pg.database

    const steps: Array<RunbookStep<SetupState>> = [
      {
        name: 'Ensure the Postgres container runs',
        run: (s, report) => this.ensureContainer(request, target.settings.password, s, report)
      },
      {
        name: 'Wait until Postgres accepts connections',
        run: async (s, report) => {
          const ready = await admin.waitUntilReady({
            timeoutMs: this.deps.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
            onAttempt: (attempt) => {
              if (attempt.attempt === 1 || attempt.attempt % 10 === 0)
                report(`not yet (attempt ${attempt.attempt}): ${attempt.error}`)
            }
          })
          s.serverVersion = ready.serverVersion
          return (
            `${admin.describe()} answered SELECT 1 after ${ready.attempts} attempt${ready.attempts === 1 ? '' : 's'} ` +
            `(PostgreSQL ${ready.serverVersion})`
          )
        }
      },
      {
        name: `Terminate connections to ${database}`,
        run: async () => {
          const rows = await admin.query<{ terminated: number }>(
            'SELECT count(pg_terminate_backend(pid))::int AS terminated ' +
              'FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [database]
          )
          const terminated = rows[0]?.terminated ?? 0
          return terminated === 0
            ? 'no open connections'
            : `terminated ${terminated} connection${terminated === 1 ? '' : 's'}`
        }
      },
      {
        name: `Drop database ${database}`,
        run: () =>
          admin.withSession(async (session) => {
            const existed = (await session.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).length > 0
            const version = await session.query<{ num: number }>(
              "SELECT current_setting('server_version_num')::int AS num"
            )
            // FORCE also ends sessions that connected after the terminate step.
            const force = (version[0]?.num ?? 0) >= FORCE_DROP_SINCE ? ' WITH (FORCE)' : ''
            await session.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}${force}`)
            return existed ? `dropped ${database}` : `${database} did not exist`
          })
      },
      {
        name: `Create database ${database}`,
        run: async () => {
          await admin.query(`CREATE DATABASE ${quoteIdentifier(database)} OWNER ${quoteIdentifier(pg.user)}`)
          return `created ${database}, owned by ${pg.user}`
        }
      },
      {
        name: 'Apply the baseline schema',
        run: async (s, report) => {
          if (baseline === null)
            return `no baseline migration (NNN_baseline.sql) in ${request.migrationsDirectory}; nothing to apply`
          const result = await runner.migrate({
            toVersion: baseline.version,
            onProgress: (progress) => report(progress.message)
          })
          s.baselineVersion = baseline.version
          s.appliedVersions.push(...result.applied.map((migration) => migration.version))
          return `applied ${baseline.fileName}`
        }
      },
      {
        name: 'Apply migrations',
        run: async (s, report) => {
          const result = await runner.migrate({ onProgress: (progress) => report(progress.message) })
          s.appliedVersions.push(...result.applied.map((migration) => migration.version))
          const applied = result.applied.map(
            (migration) => `${String(migration.version).padStart(3, '0')}_${migration.name}`
          )
          return result.upToDate
            ? `nothing more to apply; at version ${result.toVersion}`
            : `applied ${applied.join(', ')}; now at version ${result.toVersion}`
        }
      },
      {
        name: 'Seed the tier rules',
        run: (s) => this.runSeed(target, request.migrationsDirectory, TIER_RULES_SEED, tierRules, s)
      },
      {
        name: 'Create the test users',
        run: (s) => this.runSeed(target, request.migrationsDirectory, TEST_USERS_SEED, testUsers, s)
      },
      {
        name: 'Show the connection string',
        run: async (s) => `${s.connectionString} (${password})`
      }
    ]

    return this.journal.track(
      record,
      async () => {
        const run = await this.deps.runbooks.run(
          {
            runbook: RUNBOOKS.testDbSetup,
            environment,
            steps,
            input: {
              database,
              container: pg.container,
              image: pg.image,
              network: pg.network,
              port: pg.port,
              migrations: request.migrationsDirectory
            },
            result: (s) => ({ ...s, password })
          },
          state
        )
        const result: TestDbSetupResult = { environment, container: pg.container, database, ...state, password, run }
        return result
      },
      (result) => ({
        detail: {
          ...record.detail,
          runId: result.run.id,
          containerCreated: result.containerCreated,
          appliedVersions: result.appliedVersions,
          seeds: result.seeds,
          connectionString: result.connectionString
        }
      })
    )
  }

  private async ensureContainer(
    request: TestDbSetupRequest,
    password: string,
    state: SetupState,
    report: (message: string) => void
  ): Promise<string> {
    const { engine, config, environment } = request
    const pg = config.postgres
    const info = await engine.inspectContainer(pg.container)
    if (info === null) {
      if (!(await engine.imageExists(pg.image))) {
        report(`image ${pg.image} is not on the engine; pulling it`)
        let lastStatus = ''
        await engine.pullImage(pg.image, (progress) => {
          if (progress.status !== lastStatus) {
            lastStatus = progress.status
            report(`${progress.image}: ${progress.status} (${progress.layersDone}/${progress.layers} layers)`)
          }
        })
      }
      await engine.createContainer(
        postgresContainerSpec(environment, config, password, this.deps.containerLabels ?? {})
      )
      state.containerCreated = true
      await engine.startContainer(pg.container)
      state.containerStarted = true
      const where = pg.network === 'host' ? `host network, 127.0.0.1:${pg.port}` : `published on 127.0.0.1:${pg.port}`
      return `created ${pg.container} from ${pg.image} (${where}) and started it`
    }
    if (info.state === 'running') return `${pg.container} is running (${info.image})`
    if (info.state === 'paused') {
      throw new RampartError(
        'failed',
        `Container ${pg.container} is paused; unpause it (docker unpause ${pg.container}) and run setup again`
      )
    }
    await engine.startContainer(pg.container)
    state.containerStarted = true
    return `started ${pg.container} (it was ${info.state})`
  }

  /** A seed file in one transaction: all of it or none. A missing file is reported, not an error. */
  private async runSeed(
    target: PostgresTarget,
    directory: string,
    name: string,
    seed: SeedFile | null,
    state: SetupState
  ): Promise<string> {
    if (seed === null) return `no ${name} in ${directory}; nothing to run`
    await target.withSession(
      async (session) => {
        await session.query('BEGIN')
        try {
          await session.execScript(seed.sql)
          await session.query('COMMIT')
        } catch (error) {
          if (session.lost === null) await session.query('ROLLBACK').catch(() => undefined)
          throw scriptFailure(seed, error)
        }
      },
      { applicationName: `rampart setup seed` }
    )
    state.seeds.push(name)
    const statements = splitSqlStatements(seed.sql).statements.length
    return `ran ${name} (${statements} statement${statements === 1 ? '' : 's'}) in one transaction`
  }
}

/** How setup creates the Postgres container: loopback only, whichever network mode. */
export function postgresContainerSpec(
  environment: string,
  config: EnvironmentConfig,
  password: string,
  labels: Record<string, string>
): ContainerSpec {
  const pg = config.postgres
  const common = {
    name: pg.container,
    image: pg.image,
    labels: { 'rampart.role': 'postgres', 'rampart.environment': environment, ...labels }
  }
  const env = { POSTGRES_USER: pg.user, POSTGRES_PASSWORD: password, POSTGRES_DB: pg.database }
  if (pg.network === 'host') {
    return {
      ...common,
      env: { ...env, PGPORT: String(pg.port), POSTGRES_LISTEN_ADDRESSES: '127.0.0.1' },
      // Also for the public image, whose entrypoint does not read POSTGRES_LISTEN_ADDRESSES.
      cmd: ['postgres', '-c', 'listen_addresses=127.0.0.1'],
      network: 'host'
    }
  }
  return {
    ...common,
    env,
    network: 'publish',
    ports: [{ containerPort: 5432, hostPort: pg.port, hostIp: '127.0.0.1' }]
  }
}

function scriptFailure(seed: SeedFile, error: unknown): RampartError {
  if (error instanceof RampartError) return error
  const pgError = error as { code?: unknown; position?: unknown }
  const position = typeof pgError.position === 'string' ? Number(pgError.position) : NaN
  const where = Number.isInteger(position) && position > 0 ? ` at line ${lineAtOffset(seed.sql, position - 1)}` : ''
  const sqlstate = typeof pgError.code === 'string' ? ` (SQLSTATE ${pgError.code})` : ''
  return new RampartError(
    'failed',
    `Seed file ${seed.path} failed${where}: ${error instanceof Error ? error.message : String(error)}${sqlstate}. ` +
      'Its transaction was rolled back.'
  )
}
