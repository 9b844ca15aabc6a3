import { RampartError } from '@shared/errors'
import type { HistoryStore } from '@main/history/history-store'

export interface DbOperationStart {
  kind: string
  environment: string
  /** `user@host:port/database`, never with the password. */
  database: string
  detail?: Record<string, unknown>
}

export interface DbOperationEnd {
  /** Replaces the detail given at start. */
  detail: Record<string, unknown>
  /** Defaults to succeeded. */
  status?: string
  backupFile?: string
  backupSha256?: string
}

export interface TrackedOperation {
  /** The db_operations row. */
  id: number
  /** Adds fields to the recorded detail (kept on failure too). */
  note(fields: Record<string, unknown>): void
}

/** What a database operation writes: its db_operations row and the chained event that tells its outcome. */
export type DbOperationHistory = Pick<HistoryStore, 'events' | 'operations'>

/**
 * The db_operations rows of setup, rollback, restore, backup and verify: opened as `running`
 * before the work, closed with its outcome, and one hash-chained `db_operation` event per
 * operation, as the migration runner records migrate and repair.
 */
export class DbOperationJournal {
  constructor(private readonly deps: { history: DbOperationHistory; actor: string }) {}

  /**
   * Runs `work` between the two records. What it `note`s along the way is kept in the detail
   * whatever the outcome; a failure is recorded with its message and thrown on.
   */
  async track<T>(
    start: DbOperationStart,
    work: (operation: TrackedOperation) => Promise<T>,
    end: (result: T) => DbOperationEnd
  ): Promise<T> {
    const id = this.open(start)
    const noted: Record<string, unknown> = {}
    let result: T
    try {
      result = await work({ id, note: (fields) => Object.assign(noted, fields) })
    } catch (error) {
      this.close(id, { status: outcomeOf(error), detail: { ...start.detail, ...noted, error: errorSummary(error) } })
      throw error
    }
    const finish = end(result)
    this.close(id, { ...finish, detail: { ...noted, ...finish.detail } })
    return result
  }

  /** Records an operation that was refused (or failed) before it started, then throws the error. */
  failBeforeStart(start: DbOperationStart, error: unknown): never {
    const id = this.open(start)
    this.close(id, { status: outcomeOf(error), detail: { ...start.detail, error: errorSummary(error) } })
    throw error
  }

  private open(start: DbOperationStart): number {
    return this.deps.history.operations.startDbOperation({
      kind: start.kind,
      environment: start.environment,
      database: start.database,
      actor: this.deps.actor,
      detail: start.detail ?? {}
    }).id
  }

  private close(id: number, end: DbOperationEnd): void {
    const status = end.status ?? 'succeeded'
    const record = this.deps.history.operations.finishDbOperation(id, {
      status,
      detail: end.detail,
      ...(end.backupFile === undefined ? {} : { backupFile: end.backupFile }),
      ...(end.backupSha256 === undefined ? {} : { backupSha256: end.backupSha256 })
    })
    this.deps.history.events.appendEvent({
      kind: 'db_operation',
      actor: this.deps.actor,
      environment: record.environment,
      outcome: status,
      detail: { operation: record.kind, operationId: id, database: record.database, ...end.detail }
    })
  }
}

function outcomeOf(error: unknown): 'refused' | 'failed' {
  return error instanceof RampartError &&
    (error.code === 'refused' || error.code === 'conflict' || error.code === 'bad_input')
    ? 'refused'
    : 'failed'
}

function errorSummary(error: unknown): { code: string; message: string } {
  return error instanceof RampartError
    ? { code: error.code, message: error.message }
    : { code: 'failed', message: error instanceof Error ? error.message : String(error) }
}
