import { performance } from 'node:perf_hooks'
import { RampartError } from '@shared/errors'
import type {
  AppliedMigration,
  CatalogObject,
  MigrationProgress,
  MigrationRepairResult,
  MigrationRunResult,
  MigrationStatusReport,
  RepairAction
} from '@shared/migration-types'
import { diffCatalog } from './core/catalog-diff'
import { requireMigrationSet, type Migration, type MigrationSourceFile } from './core/migration-files'
import { planMigrate } from './core/migration-plan'
import { migrationStatus } from './core/migration-status'
import { lineAtOffset } from './core/sql-statements'
import type { DbOperationHistory } from './db-operation-journal'
import { readMigrationDirectory } from './migration-directory'
import { MigrationLedger, type NewLedgerRow } from './migration-ledger'
import { advisoryLockKey, type PostgresSession, type PostgresTarget } from './postgres-target'
import type { Clock } from '@main/platform/clock'

/** The lock every Rampart migration run (and rollback, restore, repair) takes in the target database. */
const MIGRATION_LOCK_NAME = 'rampart.migrations'
export const MIGRATION_LOCK_KEY = advisoryLockKey(MIGRATION_LOCK_NAME)

const DEFAULT_LOCK_WAIT_MS = 60_000

export type ProgressListener = (progress: MigrationProgress) => void

export interface MigrationRunnerOptions {
  target: PostgresTarget
  /** The migrations directory, absolute, as named in messages. */
  directory: string
  history: DbOperationHistory
  environment: string
  actor: string
  clock: Clock
  /** Schema of the history table; `public` by default. */
  ledgerSchema?: string
  /** How long to wait for another run's lock before refusing; 60 s by default. */
  lockWaitMs?: number
  /** Reads the migration files; the directory on disk by default. */
  readFiles?: () => MigrationSourceFile[]
}

/** What work under the migration lock gets: the locked session and the ledger on it. */
export interface RunContext {
  session: PostgresSession
  ledger: MigrationLedger
  progress: ProgressListener
}

/**
 * Applies the migrations directory to the environment's database: one advisory-locked session,
 * one transaction per migration holding both its changes and its ledger row, so a crash at any
 * point leaves each migration either fully applied and recorded or not at all. Every run is
 * recorded in the history file.
 */
export class MigrationRunner {
  private readonly options: MigrationRunnerOptions

  constructor(options: MigrationRunnerOptions) {
    this.options = options
  }

  /** The migrations as they are on disk (throws bad_input listing every file problem). */
  loadMigrations(): Migration[] {
    const files = (this.options.readFiles ?? (() => readMigrationDirectory(this.options.directory)))()
    return requireMigrationSet(files, this.options.directory)
  }

  /** Applied, pending, changed, missing and failed migrations; read-only, takes no lock. */
  async status(): Promise<MigrationStatusReport> {
    const migrations = this.loadMigrations()
    const rows = await this.options.target.withSession(
      (session) => new MigrationLedger(session, this.options.ledgerSchema).read(),
      { applicationName: `rampart status ${this.options.actor}` }
    )
    return migrationStatus(migrations, rows)
  }

  /** Applies every pending migration up to `toVersion` (all when absent), in version order. */
  async migrate(input: { toVersion?: number; onProgress?: ProgressListener } = {}): Promise<MigrationRunResult> {
    const progress = input.onProgress ?? (() => undefined)
    const migrations = this.loadMigrations()
    const operation = this.startRecord('migrate', {
      toVersion: input.toVersion ?? null,
      directory: this.options.directory
    })
    const started = performance.now()
    const applied: AppliedMigration[] = []
    let fromVersion = 0
    try {
      const result = await this.withLockedSession('migrate', progress, async (context) => {
        await this.step(context, 'ledger', `history table ${context.ledger.table}`, () => context.ledger.ensure())
        const report = migrationStatus(migrations, await context.ledger.read())
        fromVersion = report.currentVersion
        const plan = planMigrate(migrations, report, input.toVersion)
        progress({
          step: 'plan',
          message:
            plan.length === 0
              ? `database ${this.database} is up to date at version ${report.currentVersion}`
              : `${plan.length} pending: ${plan.map((migration) => migration.fileName).join(', ')}`
        })
        // Each migration's after-snapshot is the next one's before: the lock keeps other runs out between them.
        let catalog: CatalogObject[] | null = null
        for (const migration of plan) {
          const step = await this.apply(context, migration, catalog)
          applied.push(step.applied)
          catalog = step.catalogAfter
        }
        const toVersion = applied.length > 0 ? applied[applied.length - 1]!.version : report.currentVersion
        return { database: this.database, fromVersion, toVersion, applied, upToDate: plan.length === 0 }
      })
      progress({
        step: 'done',
        message: result.upToDate ? 'nothing to apply' : `applied ${applied.length}, now at version ${result.toVersion}`
      })
      this.finishRecord(operation, 'succeeded', {
        ...result,
        applied: applied.map(summary),
        durationMs: elapsed(started)
      })
      return result
    } catch (error) {
      this.finishRecord(operation, outcomeOf(error), {
        fromVersion,
        applied: applied.map(summary),
        durationMs: elapsed(started),
        error: errorSummary(error)
      })
      throw error
    }
  }

  /**
   * Accepts the files as they are now: a changed migration's recorded checksum (and name) is set
   * to the file's; a failed or missing migration's row is removed, so a failed one runs again on
   * the next migrate. Asking the operator to confirm is the caller's job; what was done is recorded.
   */
  async repair(input: { onProgress?: ProgressListener } = {}): Promise<MigrationRepairResult> {
    const progress = input.onProgress ?? (() => undefined)
    const migrations = this.loadMigrations()
    const operation = this.startRecord('repair', { directory: this.options.directory })
    const started = performance.now()
    const actions: RepairAction[] = []
    try {
      await this.withLockedSession('repair', progress, async (context) => {
        const rows = await context.ledger.read()
        const report = migrationStatus(migrations, rows)
        const files = new Map(migrations.map((migration) => [migration.version, migration]))
        const at = this.options.clock.now()
        // All or nothing: a repair interrupted halfway must not leave a history nobody planned.
        await context.session.query('BEGIN')
        for (const entry of report.entries) {
          if (entry.state === 'changed') {
            const file = files.get(entry.version)!
            await context.ledger.realign(entry.version, file.name, file.checksum, at, this.options.actor)
            actions.push({
              version: entry.version,
              name: file.name,
              action: 'realigned',
              fromChecksum: entry.appliedChecksum,
              toChecksum: file.checksum
            })
            progress({
              step: 'repair',
              version: entry.version,
              message: `${file.fileName}: recorded checksum set to the file's (${file.checksum.slice(0, 12)})`
            })
          } else if (entry.state === 'failed' || entry.state === 'missing') {
            await context.ledger.remove(entry.version)
            actions.push({
              version: entry.version,
              name: entry.name,
              action: 'removed',
              fromChecksum: entry.appliedChecksum,
              toChecksum: null
            })
            progress({
              step: 'repair',
              version: entry.version,
              message:
                entry.state === 'failed'
                  ? `${entry.file ?? entry.name}: failed attempt removed from the history; migrate will run it again`
                  : `version ${entry.version} (${entry.name}): removed from the history, its file being gone; ` +
                    'its objects stay in the database'
            })
          }
        }
        await context.session.query('COMMIT')
      })
      progress({ step: 'done', message: actions.length === 0 ? 'nothing to repair' : `repaired ${actions.length}` })
      this.finishRecord(operation, 'succeeded', { actions, durationMs: elapsed(started) })
      return { database: this.database, actions }
    } catch (error) {
      this.finishRecord(operation, outcomeOf(error), {
        actions,
        durationMs: elapsed(started),
        error: errorSummary(error)
      })
      throw error
    }
  }

  /**
   * Connects, takes the migration lock (waiting up to lockWaitMs with progress), runs `work`,
   * and always releases the lock and the connection. Rollback and restore use the same guard.
   */
  async withLockedSession<T>(
    purpose: string,
    progress: ProgressListener,
    work: (context: RunContext) => Promise<T>
  ): Promise<T> {
    const target = this.options.target
    const session = await this.step({ progress }, 'connect', target.describe(), () =>
      target.connect({ applicationName: `rampart ${purpose} ${this.options.actor}` })
    )
    let locked = false
    try {
      const waitMs = this.options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS
      const lock = await session.acquireAdvisoryLock(MIGRATION_LOCK_KEY, {
        waitMs,
        onWait: ({ waitedMs, holder }) =>
          progress({
            step: 'lock',
            message:
              `waiting for the migration lock held by ${describeHolder(holder)} ` +
              `(${Math.round(waitedMs / 1000)} s of ${Math.round(waitMs / 1000)} s)`
          })
      })
      if (!lock.acquired) {
        throw new RampartError(
          'conflict',
          `Another migration run holds the lock on ${target.describe()}: ${describeHolder(lock.holder)}. ` +
            `Waited ${Math.round(lock.waitedMs / 1000)} s. Let it finish, then run \`rampart db ${purpose}\` again.`,
          { holder: lock.holder }
        )
      }
      locked = true
      progress({
        step: 'lock',
        message: `migration lock taken (session pid ${session.pid ?? '?'})`,
        durationMs: lock.waitedMs
      })
      return await work({ session, ledger: new MigrationLedger(session, this.options.ledgerSchema), progress })
    } finally {
      // A lost session has already released its session-level lock with it.
      if (locked && session.lost === null) await session.advisoryUnlock(MIGRATION_LOCK_KEY).catch(() => undefined)
      await session.close()
    }
  }

  private get database(): string {
    return this.options.target.database
  }

  private async apply(
    context: RunContext,
    migration: Migration,
    catalogBefore: CatalogObject[] | null
  ): Promise<{ applied: AppliedMigration; catalogAfter: CatalogObject[] }> {
    context.progress({
      step: 'apply',
      version: migration.version,
      message: `applying ${migration.fileName}${migration.transactional ? '' : ' (outside a transaction)'}`
    })
    const step = migration.transactional
      ? await this.applyInTransaction(context, migration, catalogBefore)
      : await this.applyWithoutTransaction(context, migration, catalogBefore)
    const appliedMigration = step.applied
    context.progress({
      step: 'applied',
      version: migration.version,
      durationMs: appliedMigration.durationMs,
      message:
        `${migration.fileName} applied in ${Math.round(appliedMigration.durationMs)} ms, ` +
        `${appliedMigration.created.length} objects created`
    })
    return step
  }

  /**
   * BEGIN, snapshot (unless the previous migration's is given), run, snapshot, ledger row, COMMIT:
   * the row exists exactly when the changes do.
   */
  private async applyInTransaction(
    context: RunContext,
    migration: Migration,
    catalogBefore: CatalogObject[] | null
  ): Promise<{ applied: AppliedMigration; catalogAfter: CatalogObject[] }> {
    const { session, ledger } = context
    let phase: 'run' | 'commit' = 'run'
    try {
      await session.query('BEGIN')
      const before = catalogBefore ?? (await session.catalogSnapshot())
      const started = performance.now()
      await session.execScript(migration.sql)
      const durationMs = performance.now() - started
      const catalogAfter = await session.catalogSnapshot()
      const { created, dropped } = diffCatalog(before, catalogAfter)
      await ledger.record(this.ledgerRow(migration, durationMs, true, created, dropped))
      phase = 'commit'
      await session.query('COMMIT')
      const applied: AppliedMigration = {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        durationMs,
        transactional: true,
        created,
        dropped
      }
      return { applied, catalogAfter }
    } catch (error) {
      if (session.lost === null) await session.query('ROLLBACK').catch(() => undefined)
      context.progress({ step: 'failed', version: migration.version, message: `${migration.fileName} failed` })
      throw this.migrationFailure(migration, error, session, phase)
    }
  }

  /**
   * The one statement runs on its own; the ledger row follows. A crash between the two leaves
   * the change without its row, so the next run executes the statement again: such files should
   * be idempotent (IF NOT EXISTS). A failure is recorded as a failed row, which blocks until repair,
   * because the statement may have left something behind (an INVALID index, for one).
   */
  private async applyWithoutTransaction(
    context: RunContext,
    migration: Migration,
    catalogBefore: CatalogObject[] | null
  ): Promise<{ applied: AppliedMigration; catalogAfter: CatalogObject[] }> {
    const { session, ledger } = context
    const before = catalogBefore ?? (await session.catalogSnapshot())
    const started = performance.now()
    try {
      await session.execScript(migration.sql)
    } catch (error) {
      const durationMs = performance.now() - started
      if (session.lost === null) {
        await ledger.record(this.ledgerRow(migration, durationMs, false, [], [])).catch(() => undefined)
      }
      context.progress({
        step: 'failed',
        version: migration.version,
        message: `${migration.fileName} failed outside a transaction`
      })
      throw this.migrationFailure(migration, error, session, 'run')
    }
    const durationMs = performance.now() - started
    const catalogAfter = await session.catalogSnapshot()
    const { created, dropped } = diffCatalog(before, catalogAfter)
    await ledger.record(this.ledgerRow(migration, durationMs, true, created, dropped))
    const applied: AppliedMigration = {
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      durationMs,
      transactional: false,
      created,
      dropped
    }
    return { applied, catalogAfter }
  }

  private ledgerRow(
    migration: Migration,
    durationMs: number,
    success: boolean,
    created: CatalogObject[],
    dropped: CatalogObject[]
  ): NewLedgerRow {
    return {
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      appliedAt: this.options.clock.now(),
      appliedBy: this.options.actor,
      durationMs,
      success,
      transactional: migration.transactional,
      created,
      dropped
    }
  }

  /** The error as the operator needs it: which file, which line, and what state the database is in. */
  private migrationFailure(
    migration: Migration,
    error: unknown,
    session: PostgresSession,
    phase: 'run' | 'commit'
  ): RampartError {
    const file = `${this.options.directory}/${migration.fileName}`
    const pgError = error as { code?: unknown; position?: unknown; message?: unknown; hint?: unknown }
    const sqlstate = typeof pgError.code === 'string' && /^[0-9A-Z]{5}$/.test(pgError.code) ? pgError.code : null
    const cause = error instanceof Error ? error.message : String(error)
    if (error instanceof RampartError) return error

    if (isConnectionLoss(error, sqlstate, session)) {
      const unknownOutcome =
        phase === 'commit'
          ? 'The connection broke during COMMIT, so whether it took effect is unknown: run `rampart db status` to see.'
          : migration.transactional
            ? `Its transaction never committed, so nothing of ${migration.fileName} was applied.`
            : `It ran outside a transaction, so it may or may not have taken effect, and it is not recorded: ` +
              'the next migrate runs it again.'
      return new RampartError(
        'unreachable',
        `Lost the connection to Postgres at ${this.options.target.describe()} while applying ${file} (${cause}). ` +
          `${unknownOutcome} Migrations before it stay applied. ` +
          'Run `rampart db migrate` again once the database is back.',
        { version: migration.version, file: migration.fileName }
      )
    }

    const position = typeof pgError.position === 'string' ? Number(pgError.position) : NaN
    const line = Number.isInteger(position) && position > 0 ? lineAtOffset(migration.sql, position - 1) : null
    const where = line === null ? '' : ` at line ${line}`
    const hint = typeof pgError.hint === 'string' ? ` Hint: ${pgError.hint}.` : ''
    const state = migration.transactional
      ? 'Its transaction was rolled back: the schema and the history are as they were before it.'
      : 'It ran outside a transaction and may have left something behind (an INVALID index, for one); ' +
        'a failed row is recorded and blocks further migrations ' +
        'until you check the database and run `rampart db repair`.'
    return new RampartError(
      'failed',
      `Migration ${file} failed${where}: ${cause} (SQLSTATE ${sqlstate}).${hint} ${state}`,
      { version: migration.version, file: migration.fileName, line, sqlstate }
    )
  }

  private async step<T>(
    context: { progress: ProgressListener },
    step: 'connect' | 'ledger',
    message: string,
    action: () => Promise<T>
  ): Promise<T> {
    const started = performance.now()
    const result = await action()
    context.progress({ step, message, durationMs: performance.now() - started })
    return result
  }

  private startRecord(kind: string, detail: Record<string, unknown>): number {
    return this.options.history.operations.startDbOperation({
      kind,
      environment: this.options.environment,
      database: this.options.target.describe(),
      actor: this.options.actor,
      detail
    }).id
  }

  /** The db_operations row gets its outcome, and the hash-chained events get one line per run. */
  private finishRecord(id: number, status: string, detail: Record<string, unknown>): void {
    const record = this.options.history.operations.finishDbOperation(id, { status, detail })
    this.options.history.events.appendEvent({
      kind: 'db_operation',
      actor: this.options.actor,
      environment: this.options.environment,
      outcome: status,
      detail: { operation: record.kind, operationId: id, database: record.database, ...detail }
    })
  }
}

/** Network errors, a closed client, and the SQLSTATEs of a server going away (57P0x, 08xxx). */
function isConnectionLoss(error: unknown, sqlstate: string | null, session: PostgresSession): boolean {
  if (session.lost !== null) return true
  if (sqlstate !== null) return /^(57P0[1-3]|08)/.test(sqlstate)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|not queryable|connection.*(closed|ended)/i.test(message)
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since)
}

function summary(applied: AppliedMigration): Record<string, unknown> {
  return {
    version: applied.version,
    name: applied.name,
    checksum: applied.checksum,
    durationMs: Math.round(applied.durationMs),
    transactional: applied.transactional,
    created: applied.created.length
  }
}

function outcomeOf(error: unknown): string {
  return error instanceof RampartError &&
    (error.code === 'refused' || error.code === 'conflict' || error.code === 'bad_input')
    ? 'refused'
    : 'failed'
}

function errorSummary(error: unknown): Record<string, unknown> {
  return error instanceof RampartError
    ? { code: error.code, message: error.message }
    : { code: 'failed', message: error instanceof Error ? error.message : String(error) }
}

function describeHolder(
  holder: {
    pid: number
    applicationName: string | null
    user: string | null
    clientAddress: string | null
    connectedSince: string | null
  } | null
): string {
  if (holder === null) return 'a session that could not be identified (it may have just finished)'
  const parts = [`pid ${holder.pid}`]
  if (holder.applicationName) parts.push(`"${holder.applicationName}"`)
  if (holder.user) parts.push(`user ${holder.user}`)
  if (holder.clientAddress) parts.push(`from ${holder.clientAddress}`)
  if (holder.connectedSince) parts.push(`since ${holder.connectedSince}`)
  return parts.join(', ')
}
