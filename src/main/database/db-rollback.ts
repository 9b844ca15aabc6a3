import { performance } from 'node:perf_hooks'
import { RampartError } from '@shared/errors'
import type { DbBackup, DbRollbackResult, DbVerification, RolledBackMigration } from '@shared/db-types'
import type { CatalogObject } from '@shared/migration-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { describeCatalogObject, objectsPresent } from './core/catalog-presence'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'
import { migrationStatus } from './core/migration-status'
import { planRollback, type RollbackStep } from './core/rollback-plan'
import { lineAtOffset } from './core/sql-statements'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { PostgresTarget } from './postgres-target'
import type { Clock } from '@main/platform/clock'
import { containerDatabase, takeBackup } from './db-backup'
import { DbOperationJournal, type DbOperationHistory, type TrackedOperation } from './db-operation-journal'
import { describeVerification, verificationProblems, verifyRollback } from './db-verification'
import { HeldMigrationLock } from './held-migration-lock'
import type { MigrationRunner } from './migration-runner'
import type { RunbookStep } from '@main/runbooks/runbook-definition'
import type { RunbookRunner } from '@main/runbooks/runbook-runner'

export interface DbRollbackDeps {
  history: DbOperationHistory
  runbooks: RunbookRunner
  clock: Clock
  actor: string
  /** $RAMPART_HOME/backups */
  backupsDirectory: string
}

export interface DbRollbackRequest {
  environment: string
  config: EnvironmentConfig
  target: PostgresTarget
  runner: MigrationRunner
  engine: DockerEngine
  migrationsDirectory: string
  /** Roll back every applied migration above this version (0: all); absent, the newest only. */
  toVersion?: number
  confirm?: boolean
  confirmation?: string
}

interface RollbackState {
  lock: HeldMigrationLock | null
  backup: DbBackup | null
  rolledBack: RolledBackMigration[]
  /** What the rolled back migrations had created, per the ledger. */
  removed: CatalogObject[]
  verification: DbVerification | null
}

/**
 * The design's rollback (docs/design.md "Database operations"): confirmation, then under the
 * migration lock a pg_dump backup, then for each migration (newest first) its rollback script
 * and the removal of its ledger row in one transaction that commits only when every object the
 * migration created is gone, then a check that no row is orphaned. Each step is a recorded
 * runbook step.
 */
export class DbRollback {
  private readonly journal: DbOperationJournal

  constructor(private readonly deps: DbRollbackDeps) {
    this.journal = new DbOperationJournal({ history: deps.history, actor: deps.actor })
  }

  async rollback(request: DbRollbackRequest): Promise<DbRollbackResult> {
    const { environment, config, target, runner } = request
    const where = { directory: request.migrationsDirectory, database: target.describe() }
    const record = {
      kind: 'rollback',
      environment,
      database: target.describe(),
      detail: { toVersion: request.toVersion ?? null, directory: where.directory }
    }
    let plan: RollbackStep[]
    let fromVersion: number
    let toVersion: number
    try {
      requireConfirmation({
        action: 'rollback',
        environment,
        protected: config.protected,
        database: target.database,
        confirm: request.confirm,
        confirmation: request.confirmation
      })
      const report = await runner.status()
      plan = planRollback(runner.loadMigrations(), report, request.toVersion, where)
      fromVersion = report.currentVersion
      toVersion = versionAfter(report.entries, plan)
    } catch (error) {
      this.journal.failBeforeStart(record, error)
    }
    const planned = plan.map((step) => step.version)
    const state: RollbackState = { lock: null, backup: null, rolledBack: [], removed: [], verification: null }

    return this.journal.track(
      { ...record, detail: { ...record.detail, fromVersion, plannedToVersion: toVersion, versions: planned } },
      async (operation) => {
        try {
          const steps: Array<RunbookStep<RollbackState>> = [
            { name: 'Take the migration lock', run: (s, report) => this.lock(request, planned, s, report) },
            {
              name: `Back up ${target.database} with pg_dump`,
              run: async (s) => {
                s.backup = await takeBackup(
                  { journal: this.journal, clock: this.deps.clock, backupsDirectory: this.deps.backupsDirectory },
                  {
                    environment,
                    target,
                    source: containerDatabase(config, target, request.engine),
                    reason: `before rolling back ${planned.join(', ')}`
                  }
                )
                operation.note({ backupFile: s.backup.file, backupSha256: s.backup.sha256 })
                return `${s.backup.file} (${s.backup.bytes} bytes, sha256 ${s.backup.sha256.slice(0, 12)}…)`
              }
            },
            ...plan.map((step) => ({
              name: `Roll back ${step.fileName} (${step.rollback.fileName})`,
              run: (s: RollbackState) => this.rollBackOne(request, step, s, operation)
            })),
            { name: 'Verify: objects gone, no orphaned rows', run: (s) => this.verify(request, s, operation) }
          ]
          const run = await this.deps.runbooks.run(
            {
              runbook: RUNBOOKS.dbRollback,
              environment,
              steps,
              input: { database: target.describe(), versions: planned, toVersion: request.toVersion ?? null },
              result: (s) => ({
                rolledBack: s.rolledBack,
                backup: s.backup,
                verificationOk: s.verification?.ok ?? null
              })
            },
            state
          )
          const result: DbRollbackResult = {
            environment,
            database: target.describe(),
            fromVersion,
            toVersion,
            rolledBack: state.rolledBack,
            backup: state.backup!,
            verification: state.verification!,
            run
          }
          return result
        } finally {
          await state.lock?.release()
        }
      },
      (result) => ({
        detail: {
          fromVersion: result.fromVersion,
          toVersion: result.toVersion,
          rolledBack: result.rolledBack,
          verificationOk: result.verification.ok
        },
        backupFile: result.backup.file,
        backupSha256: result.backup.sha256
      })
    )
  }

  /** Takes the lock, then checks that what was planned still holds now that nobody else can change it. */
  private async lock(
    request: DbRollbackRequest,
    planned: number[],
    state: RollbackState,
    report: (message: string) => void
  ): Promise<string> {
    state.lock = await HeldMigrationLock.take(request.runner, 'rollback', (progress) => report(progress.message))
    const { ledger } = state.lock.context
    const migrations = request.runner.loadMigrations()
    const now = planRollback(migrations, migrationStatus(migrations, await ledger.read()), request.toVersion, {
      directory: request.migrationsDirectory,
      database: request.target.describe()
    }).map((step) => step.version)
    if (now.join(',') !== planned.join(',')) {
      throw new RampartError(
        'conflict',
        `The migration history of ${request.target.describe()} changed while the rollback was being prepared ` +
          `(planned ${planned.join(', ')}, now ${now.join(', ') || 'nothing'}); nothing was rolled back. Run it again.`
      )
    }
    return `lock held by session pid ${state.lock.context.session.pid ?? '?'}; rolling back ${planned.join(', ')}`
  }

  /** Script, ledger row and the check that the migration's objects are gone: one transaction. */
  private async rollBackOne(
    request: DbRollbackRequest,
    step: RollbackStep,
    state: RollbackState,
    operation: TrackedOperation
  ): Promise<string> {
    const { session, ledger } = state.lock!.context
    const created = await ledger.createdObjects(step.version)
    if (created === null) {
      throw new RampartError(
        'conflict',
        `Version ${step.version} (${step.fileName}) is no longer in the migration history of ` +
          `${request.target.describe()}; nothing more was rolled back`
      )
    }
    const file = `${request.migrationsDirectory}/${step.rollback.fileName}`
    const backup = state.backup === null ? '' : ` The backup is ${state.backup.file}.`
    const started = performance.now()
    let phase: 'run' | 'commit' = 'run'
    try {
      await session.query('BEGIN')
      await session.execScript(step.rollback.sql)
      await ledger.remove(step.version)
      const remaining = objectsPresent(created, await session.catalogSnapshot())
      if (remaining.length > 0) {
        throw new RampartError(
          'failed',
          `${file} ran, but ${remaining.length} object${remaining.length === 1 ? '' : 's'} ` +
            `that ${step.fileName} created would remain: ${remaining.map(describeCatalogObject).join('; ')}. ` +
            `The transaction was rolled back: schema, data and history are unchanged.${backup}`,
          { version: step.version, remaining }
        )
      }
      phase = 'commit'
      await session.query('COMMIT')
    } catch (error) {
      if (session.lost === null) await session.query('ROLLBACK').catch(() => undefined)
      throw rollbackFailure(file, step, error, phase, backup)
    }
    const rolledBack = {
      version: step.version,
      name: step.name,
      rollbackFile: step.rollback.fileName,
      durationMs: Math.round(performance.now() - started),
      objectsRemoved: created.length
    }
    state.rolledBack.push(rolledBack)
    state.removed.push(...created)
    operation.note({ rolledBack: state.rolledBack })
    return (
      `ran ${step.rollback.fileName} and removed version ${step.version} from the history; ` +
      `${created.length} objects gone`
    )
  }

  private async verify(request: DbRollbackRequest, state: RollbackState, operation: TrackedOperation): Promise<string> {
    const verification = await verifyRollback(state.lock!.context.session, state.removed, request.target.describe())
    state.verification = verification
    operation.note({ verification })
    if (!verification.ok) {
      throw new RampartError(
        'failed',
        `The rollback of ${request.target.describe()} is committed, ` +
          `but verification found: ${verificationProblems(verification).join('; ')}. ` +
          `To go back, restore the backup: rampart db restore --backup ${state.backup?.file ?? '(none)'}`,
        { verification }
      )
    }
    return `${state.removed.length} objects confirmed gone; ${describeVerification(verification)}`
  }
}

/** The newest applied version the plan leaves in place (0 when it undoes everything). */
function versionAfter(
  entries: ReadonlyArray<{ version: number; state: string }>,
  plan: readonly RollbackStep[]
): number {
  const undone = new Set(plan.map((step) => step.version))
  return entries
    .filter((entry) => entry.state === 'applied' && !undone.has(entry.version))
    .reduce((highest, entry) => Math.max(highest, entry.version), 0)
}

function rollbackFailure(
  file: string,
  step: RollbackStep,
  error: unknown,
  phase: 'run' | 'commit',
  backup: string
): RampartError {
  if (error instanceof RampartError) return error
  const pgError = error as { code?: unknown; position?: unknown }
  const cause = error instanceof Error ? error.message : String(error)
  if (phase === 'commit') {
    return new RampartError(
      'failed',
      `The connection failed while committing the rollback of ${step.fileName} (${cause}); ` +
        `whether it took effect is unknown: run \`rampart db status\`.${backup}`
    )
  }
  const position = typeof pgError.position === 'string' ? Number(pgError.position) : NaN
  const where =
    Number.isInteger(position) && position > 0 ? ` at line ${lineAtOffset(step.rollback.sql, position - 1)}` : ''
  const sqlstate = typeof pgError.code === 'string' ? ` (SQLSTATE ${pgError.code})` : ''
  return new RampartError(
    'failed',
    `Rollback script ${file} failed${where}: ${cause}${sqlstate}. ` +
      `Its transaction was rolled back: schema, data and history are unchanged.${backup}`,
    { version: step.version, file: step.rollback.fileName }
  )
}
