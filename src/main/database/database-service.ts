import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import type {
  DbBackup,
  DbOverview,
  DbMigrateResult,
  DbRepairResult,
  DbRestoreResult,
  DbRollbackResult,
  DbStatusResult,
  DbVerification,
  TestDbSetupResult
} from '@shared/db-types'
import type {
  DbMigrateInput,
  DbRepairInput,
  DbRestoreInput,
  DbRollbackInput,
  DbSetupInput,
  DbStatusInput,
  DbVerifyInput
} from '@shared/db-operation-inputs'
import type { MigrationRepairResult, MigrationRunResult } from '@shared/migration-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'
import type { EnvironmentConfig, Workspace } from '@main/workspace/core/workspace-schema'
import { environmentConfig, resolveWorkspacePath } from '@main/workspace/core/workspace-lookup'
import { connectionString, passwordSource } from './core/connection-string'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import { PostgresTarget } from './postgres-target'
import type { Clock } from '@main/platform/clock'
import { containerDatabase, takeBackup } from './db-backup'
import { DbOperationJournal, type DbOperationHistory } from './db-operation-journal'
import { DbRestore } from './db-restore'
import { DbRollback } from './db-rollback'
import { verifyDatabase } from './db-verification'
import { MigrationLedger } from './migration-ledger'
import { MigrationRunner } from './migration-runner'
import type { RunbookRunner } from '@main/runbooks/runbook-runner'
import { TestDbSetup } from './test-db-setup'

export interface DatabaseServiceDeps {
  workspace: Workspace
  /** Where `${VAR}` password references are resolved. */
  env: Readonly<Record<string, string | undefined>>
  /** Its path names the file in the message of a restore without a recorded backup. */
  history: DbOperationHistory & Pick<HistoryStore, 'path'>
  runbooks: RunbookRunner
  docker: { forEnvironment(name: string | undefined): DockerEngine }
  clock: Clock
  actor: string
  /** Where pg_dump backups go: $RAMPART_HOME/backups. */
  backupsDirectory: string
  /** Added to containers that setup creates (tests mark theirs). */
  containerLabels?: Record<string, string>
  readyTimeoutMs?: number
  lockWaitMs?: number
}

interface ResolvedEnvironment {
  name: string
  config: EnvironmentConfig
  migrationsDirectory: string
}

/**
 * Every database operation of an environment, for the CLI and the contract handlers alike:
 * status, migrate, repair, test-db setup, rollback, restore and verify. It resolves the
 * environment, its Postgres target (password from its ${VAR}) and Docker engine, and hands over
 * to the service that does the work; long operations run as recorded runbooks.
 */
export class DatabaseService {
  constructor(private readonly deps: DatabaseServiceDeps) {}

  async status(input: DbStatusInput): Promise<DbStatusResult> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    const report = await this.runnerFor(environment, target).status()
    return { environment: environment.name, database: target.describe(), ...report }
  }

  async migrate(input: DbMigrateInput): Promise<DbMigrateResult> {
    const environment = this.resolve(input.environment)
    const runner = this.runnerFor(environment, this.targetFor(environment))
    const holder: { result: MigrationRunResult | null } = { result: null }
    const run = await this.deps.runbooks.run(
      {
        runbook: RUNBOOKS.dbMigrate,
        environment: environment.name,
        input: { toVersion: input.toVersion ?? null, directory: environment.migrationsDirectory },
        steps: [
          {
            name:
              input.toVersion === undefined
                ? 'Apply pending migrations'
                : `Apply pending migrations up to version ${input.toVersion}`,
            run: async (context, report) => {
              const result = await runner.migrate({
                ...(input.toVersion === undefined ? {} : { toVersion: input.toVersion }),
                onProgress: (progress) => report(progress.message)
              })
              context.result = result
              return result.upToDate
                ? `up to date at version ${result.toVersion}`
                : `applied ${result.applied.map((m) => m.version).join(', ')}; now at version ${result.toVersion}`
            }
          }
        ],
        result: (context) => ({
          fromVersion: context.result?.fromVersion ?? null,
          toVersion: context.result?.toVersion ?? null
        })
      },
      holder
    )
    return { environment: environment.name, ...holder.result!, run }
  }

  /** Accepts the files as they are; in a protected environment only with the database name typed. */
  async repair(input: DbRepairInput): Promise<DbRepairResult> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    if (environment.config.protected) {
      try {
        requireConfirmation({
          action: 'repair of the migration history',
          environment: environment.name,
          protected: true,
          database: target.database,
          confirmation: input.confirmation
        })
      } catch (error) {
        this.journal().failBeforeStart(
          { kind: 'repair', environment: environment.name, database: target.describe() },
          error
        )
      }
    }
    const runner = this.runnerFor(environment, target)
    const holder: { result: MigrationRepairResult | null } = { result: null }
    const run = await this.deps.runbooks.run(
      {
        runbook: RUNBOOKS.dbRepair,
        environment: environment.name,
        input: { directory: environment.migrationsDirectory },
        steps: [
          {
            name: 'Repair the migration history',
            run: async (context, report) => {
              context.result = await runner.repair({ onProgress: (progress) => report(progress.message) })
              return context.result.actions.length === 0
                ? 'nothing to repair'
                : `${context.result.actions.length} repaired`
            }
          }
        ],
        result: (context) => ({ actions: context.result?.actions ?? [] })
      },
      holder
    )
    return { environment: environment.name, ...holder.result!, run }
  }

  async setup(input: DbSetupInput): Promise<TestDbSetupResult> {
    const environment = this.resolve(input.environment)
    return new TestDbSetup({
      history: this.deps.history,
      runbooks: this.deps.runbooks,
      clock: this.deps.clock,
      actor: this.deps.actor,
      ...(this.deps.containerLabels === undefined ? {} : { containerLabels: this.deps.containerLabels }),
      ...(this.deps.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.deps.readyTimeoutMs })
    }).run({
      environment: environment.name,
      config: environment.config,
      env: this.deps.env,
      engine: this.deps.docker.forEnvironment(environment.name),
      migrationsDirectory: environment.migrationsDirectory,
      source: this.deps.workspace.file ?? 'the built-in default workspace'
    })
  }

  async rollback(input: DbRollbackInput): Promise<DbRollbackResult> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    return new DbRollback({
      history: this.deps.history,
      runbooks: this.deps.runbooks,
      clock: this.deps.clock,
      actor: this.deps.actor,
      backupsDirectory: this.deps.backupsDirectory
    }).rollback({
      environment: environment.name,
      config: environment.config,
      target,
      runner: this.runnerFor(environment, target),
      engine: this.deps.docker.forEnvironment(environment.name),
      migrationsDirectory: environment.migrationsDirectory,
      ...(input.toVersion === undefined ? {} : { toVersion: input.toVersion }),
      confirm: input.confirm,
      confirmation: input.confirmation
    })
  }

  /** A pg_dump backup on its own (the full rollback's backup step), recorded as rollback records its own. */
  async backup(input: { environment?: string; reason: string }): Promise<DbBackup> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    return takeBackup(
      { journal: this.journal(), clock: this.deps.clock, backupsDirectory: this.deps.backupsDirectory },
      {
        environment: environment.name,
        target,
        source: containerDatabase(environment.config, target, this.deps.docker.forEnvironment(environment.name)),
        reason: input.reason
      }
    )
  }

  async restore(input: DbRestoreInput): Promise<DbRestoreResult> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    return new DbRestore({ history: this.deps.history, runbooks: this.deps.runbooks, actor: this.deps.actor }).restore({
      environment: environment.name,
      config: environment.config,
      target,
      runner: this.runnerFor(environment, target),
      engine: this.deps.docker.forEnvironment(environment.name),
      backupFile: input.backupFile,
      ...(input.force === undefined ? {} : { force: input.force }),
      confirm: input.confirm,
      confirmation: input.confirmation
    })
  }

  /**
   * The environment's Postgres at a glance, for the Database page: its container and health, the
   * server's version, how to connect (never the password) and the backups still on disk. What
   * cannot be reached is said, not thrown: the page shows the rest.
   */
  async overview(input: { environment?: string }): Promise<DbOverview> {
    const environment = this.resolve(input.environment)
    const pg = environment.config.postgres
    const target = this.targetFor(environment)
    const problems: string[] = []
    const info = await this.deps.docker
      .forEnvironment(environment.name)
      .inspectContainer(pg.container)
      .catch((error: unknown) => {
        problems.push(messageOf(error))
        return null
      })
    const serverVersion = await target
      .query<{ server_version: string }>('SHOW server_version')
      .then((rows) => rows[0]?.server_version ?? null)
      .catch((error: unknown) => {
        problems.push(messageOf(error))
        return null
      })
    const backups = this.deps.history.operations
      .listDbOperations({ environment: environment.name })
      .filter((operation) => operation.backupFile !== null && existsSync(operation.backupFile))
      .map((operation) => ({
        file: operation.backupFile!,
        sha256: operation.backupSha256 ?? '',
        bytes: statSync(operation.backupFile!).size,
        operationId: operation.id,
        takenAt: operation.startedAt,
        database: operation.database
      }))
    return {
      environment: environment.name,
      protected: environment.config.protected,
      disposable: pg.disposable,
      container: pg.container,
      containerState: info?.state ?? (problems.length > 0 ? 'unknown' : 'absent'),
      health: info?.health ?? null,
      serverVersion,
      database: target.describe(),
      connectionString: connectionString({ user: pg.user, host: pg.host, port: pg.port, database: pg.database }),
      password: passwordSource(pg.password),
      backups,
      problems
    }
  }

  /** Read-only: the ledger's objects against the catalog, and every foreign key's rows. Recorded. */
  async verify(input: DbVerifyInput): Promise<DbVerification> {
    const environment = this.resolve(input.environment)
    const target = this.targetFor(environment)
    return this.journal().track(
      { kind: 'verify', environment: environment.name, database: target.describe() },
      () =>
        target.withSession((session) => verifyDatabase(session, new MigrationLedger(session), target.describe()), {
          applicationName: `rampart verify ${this.deps.actor}`
        }),
      (verification) => ({
        status: verification.ok ? 'succeeded' : 'failed',
        detail: {
          ok: verification.ok,
          foreignKeysChecked: verification.foreignKeysChecked,
          orphans: verification.orphans,
          missingObjects: verification.missingObjects,
          ledgerMissing: verification.ledgerMissing
        }
      })
    )
  }

  private resolve(name: string | undefined): ResolvedEnvironment {
    const { name: resolved, config } = environmentConfig(this.deps.workspace, name)
    return { name: resolved, config, migrationsDirectory: resolveWorkspacePath(this.deps.workspace, config.migrations) }
  }

  private targetFor(environment: ResolvedEnvironment): PostgresTarget {
    return PostgresTarget.fromEnvironment(environment.name, environment.config.postgres, this.deps.env)
  }

  private runnerFor(environment: ResolvedEnvironment, target: PostgresTarget): MigrationRunner {
    return new MigrationRunner({
      target,
      directory: environment.migrationsDirectory,
      history: this.deps.history,
      environment: environment.name,
      actor: this.deps.actor,
      clock: this.deps.clock,
      ...(this.deps.lockWaitMs === undefined ? {} : { lockWaitMs: this.deps.lockWaitMs })
    })
  }

  private journal(): DbOperationJournal {
    return new DbOperationJournal({ history: this.deps.history, actor: this.deps.actor })
  }
}

export interface CreateDatabaseServiceOptions extends Omit<DatabaseServiceDeps, 'backupsDirectory' | 'history'> {
  /** The history file; backups go beside it, in `backups/`. */
  historyPath: string
  store: DatabaseServiceDeps['history']
  backupsDirectory?: string
}

/** For the app context: backups live in $RAMPART_HOME/backups, beside the history file. */
export function createDatabaseService(options: CreateDatabaseServiceOptions): DatabaseService {
  const { historyPath, store, backupsDirectory, ...rest } = options
  return new DatabaseService({
    ...rest,
    history: store,
    backupsDirectory: backupsDirectory ?? path.join(path.dirname(historyPath), 'backups')
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
