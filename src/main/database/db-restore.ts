import { isAbsolute } from 'node:path'
import { RampartError } from '@shared/errors'
import type { DbRestoreResult, DbVerification } from '@shared/db-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import type { DbOperationRecord } from '@main/history/operation-records'
import { fileSha256 } from '@main/platform/file-sha256'
import { restoreDatabase } from './postgres-container-backup'
import type { PostgresTarget } from './postgres-target'
import { BACKUP_OPERATION_KIND, containerDatabase } from './db-backup'
import { DbOperationJournal, type DbOperationHistory } from './db-operation-journal'
import { describeVerification, verificationProblems, verifyDatabase } from './db-verification'
import { HeldMigrationLock } from './held-migration-lock'
import type { MigrationRunner } from './migration-runner'
import type { RunbookStep } from '@main/runbooks/runbook-definition'
import type { RunbookRunner } from '@main/runbooks/runbook-runner'

export interface DbRestoreDeps {
  /** Also read for the checksum recorded when the backup was taken. */
  history: DbOperationHistory & Pick<HistoryStore, 'path'>
  runbooks: RunbookRunner
  actor: string
}

export interface DbRestoreRequest {
  environment: string
  config: EnvironmentConfig
  target: PostgresTarget
  runner: MigrationRunner
  engine: DockerEngine
  /** Absolute path of the backup file. */
  backupFile: string
  /** Restore although the checksum is unknown or differs, or the backup is of another database. */
  force?: boolean
  confirm?: boolean
  confirmation?: string
}

interface RestoreState {
  lock: HeldMigrationLock | null
  bytes: number
  verification: DbVerification | null
}

/**
 * `db restore --backup FILE`: only a file whose SHA-256 matches the one recorded when Rampart
 * took it (unless forced), confirmed as every destructive action, streamed into pg_restore in
 * the container under the migration lock, and the database verified afterwards.
 */
export class DbRestore {
  private readonly journal: DbOperationJournal

  constructor(private readonly deps: DbRestoreDeps) {
    this.journal = new DbOperationJournal({ history: deps.history, actor: deps.actor })
  }

  async restore(request: DbRestoreRequest): Promise<DbRestoreResult> {
    const { environment, config, target, backupFile } = request
    const force = request.force === true
    const record = { kind: 'restore', environment, database: target.describe(), detail: { file: backupFile, force } }
    let checked: { sha256: string; bytes: number; verified: boolean }
    try {
      if (!isAbsolute(backupFile))
        throw new RampartError('bad_input', `The backup file "${backupFile}" must be an absolute path`)
      requireConfirmation({
        action: 'restore',
        environment,
        protected: config.protected,
        database: target.database,
        confirm: request.confirm,
        confirmation: request.confirmation
      })
      checked = await this.checkBackup(request, force)
    } catch (error) {
      this.journal.failBeforeStart(record, error)
    }
    const state: RestoreState = { lock: null, bytes: 0, verification: null }
    return this.journal.track(
      { ...record, detail: { ...record.detail, sha256: checked.sha256, checksumVerified: checked.verified } },
      async (operation) => {
        try {
          const steps: Array<RunbookStep<RestoreState>> = [
            {
              name: 'Take the migration lock',
              run: async (s, report) => {
                s.lock = await HeldMigrationLock.take(request.runner, 'restore', (progress) => report(progress.message))
                return `lock held by session pid ${s.lock.context.session.pid ?? '?'}`
              }
            },
            {
              name: `Restore ${target.database} with pg_restore`,
              run: async (s) => {
                s.bytes = (await restoreDatabase(containerDatabase(config, target, request.engine), backupFile)).bytes
                return `restored ${s.bytes} bytes from ${backupFile} in one transaction`
              }
            },
            {
              name: 'Verify: history matches the catalog, no orphaned rows',
              run: async (s) => {
                const { session, ledger } = s.lock!.context
                s.verification = await verifyDatabase(session, ledger, target.describe())
                operation.note({ verification: s.verification })
                if (!s.verification.ok) {
                  throw new RampartError(
                    'failed',
                    `${backupFile} was restored into ${target.describe()}, ` +
                      `but verification found: ${verificationProblems(s.verification).join('; ')}`,
                    { verification: s.verification }
                  )
                }
                return describeVerification(s.verification)
              }
            }
          ]
          const run = await this.deps.runbooks.run(
            {
              runbook: RUNBOOKS.dbRestore,
              environment,
              steps,
              input: { database: target.describe(), file: backupFile, sha256: checked.sha256, force },
              result: (s) => ({ bytes: s.bytes, verificationOk: s.verification?.ok ?? null })
            },
            state
          )
          const result: DbRestoreResult = {
            environment,
            database: target.describe(),
            backupFile,
            sha256: checked.sha256,
            checksumVerified: checked.verified,
            bytes: state.bytes,
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
          file: result.backupFile,
          sha256: result.sha256,
          checksumVerified: result.checksumVerified,
          bytes: result.bytes,
          verificationOk: result.verification.ok
        }
      })
    )
  }

  /**
   * The file's checksum against the newest successful backup record of that file. Only `backup`
   * records count: a forced restore must not make a changed file look trusted the next time.
   */
  private async checkBackup(
    request: DbRestoreRequest,
    force: boolean
  ): Promise<{ sha256: string; bytes: number; verified: boolean }> {
    const { sha256, bytes } = await fileSha256(request.backupFile, 'the backup file')
    const recorded = this.recordOf(request.backupFile)
    const override = ' (pass --force to restore it anyway)'
    if (recorded === undefined) {
      if (force) return { sha256, bytes, verified: false }
      throw new RampartError(
        'refused',
        `There is no record of a backup ${request.backupFile} in the history file ${this.deps.history.path}, ` +
          `so its checksum cannot be checked; nothing was restored${override}`
      )
    }
    if (recorded.backupSha256 !== sha256) {
      if (force) return { sha256, bytes, verified: false }
      throw new RampartError(
        'refused',
        `The backup ${request.backupFile} has changed since it was taken: its SHA-256 is ${sha256}, ` +
          `the one recorded (operation #${recorded.id}, ${recorded.startedAt}) is ${recorded.backupSha256}. ` +
          `Nothing was restored${override}`,
        { recorded: recorded.backupSha256, actual: sha256 }
      )
    }
    if ((recorded.environment !== request.environment || recorded.database !== request.target.describe()) && !force) {
      throw new RampartError(
        'refused',
        `The backup ${request.backupFile} is of ${recorded.database} in environment "${recorded.environment}", ` +
          `not of ${request.target.describe()} in "${request.environment}"; nothing was restored${override}`
      )
    }
    return { sha256, bytes, verified: true }
  }

  private recordOf(file: string): DbOperationRecord | undefined {
    return this.deps.history.operations
      .listDbOperations({ kind: BACKUP_OPERATION_KIND })
      .find(
        (operation) =>
          operation.backupFile === file && operation.status === 'succeeded' && operation.backupSha256 !== null
      )
  }
}
