import { RampartError } from '@shared/errors'
import type { JsonValue } from '@shared/history-types'
import { canonicalJson } from './core/history-chain'
import type { EventLog } from './event-log'
import type { HistoryFile } from './history-file'
import { parseJson, positiveCount } from './history-values'
import type { ProcessIdentity } from '@main/platform/process-liveness'

/** A database operation as its caller opens it. `detail` must be redacted: no passwords, no URLs with credentials. */
export interface NewDbOperation {
  kind: string
  environment: string
  database: string
  actor: string
  detail?: unknown
}

export interface DbOperationOutcome {
  /** e.g. succeeded, failed, refused. */
  status: string
  detail?: unknown
  backupFile?: string
  backupSha256?: string
}

export interface DbOperationRecord {
  id: number
  kind: string
  environment: string
  database: string
  actor: string
  status: string
  startedAt: string
  finishedAt: string | null
  backupFile: string | null
  backupSha256: string | null
  detail: JsonValue
  /** The process that did (or is doing) it; null for records written before owners were kept. */
  owner: ProcessIdentity | null
}

interface DbOperationRow {
  id: number
  kind: string
  environment: string
  database: string
  actor: string
  status: string
  started_at: string
  finished_at: string | null
  backup_file: string | null
  backup_sha256: string | null
  detail: string | null
  owner: string | null
}

/** A Docker action as its caller records it. `detail` must be redacted: no passwords, no environment values. */
export interface NewDockerAction {
  environment: string
  /** The engine, as shown: unix:///var/run/docker.sock, ssh://deploy@build-01 */
  endpoint: string
  container: string | null
  /** e.g. create, start, stop, remove, pull. */
  action: string
  /** e.g. succeeded, failed, refused. */
  outcome: string
  detail?: unknown
}

export interface DockerActionRecord {
  id: number
  at: string
  environment: string
  endpoint: string
  container: string | null
  action: string
  outcome: string
  detail: JsonValue
}

interface DockerActionRow {
  id: number
  at: string
  environment: string
  endpoint: string
  container: string | null
  action: string
  outcome: string
  detail: string | null
}

export interface DbOperationFilter {
  environment?: string
  kind?: string
  /** e.g. running: the ones not closed (yet). */
  status?: string
  limit?: number
}

export interface DockerActionFilter {
  environment?: string
  container?: string
  limit?: number
}

const DB_OPERATION_COLUMNS =
  'id, kind, environment, database, actor, status, started_at, finished_at, backup_file, backup_sha256, detail, owner'

/**
 * Database operations (setup, migrate, rollback, restore, with backup file and checksum) and
 * Docker actions in the history file, beside the event chain that tells their story.
 */
export class OperationRecords {
  constructor(
    /** Its identity is written into each database operation this process opens. */
    private readonly file: HistoryFile,
    /** Where an interrupted operation's ending is chained, in the transaction that closes it. */
    private readonly events: EventLog
  ) {}

  /**
   * Opens a database operation record (setup, migrate, repair, rollback, restore) with status
   * `running`, before the work starts, so a crash leaves a visible unfinished record.
   */
  startDbOperation(input: NewDbOperation): DbOperationRecord {
    const startedAt = this.file.now().toISOString()
    const detail = canonicalJson(input.detail) ?? null
    const result = this.guarded('record a database operation in', () =>
      this.file.db
        .prepare(
          `INSERT INTO db_operations (kind, environment, database, actor, status, started_at, detail, owner)
           VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`
        )
        .run(
          input.kind,
          input.environment,
          input.database,
          input.actor,
          startedAt,
          detail,
          JSON.stringify({ pid: this.file.identity.pid, host: this.file.identity.host })
        )
    )
    return this.readDbOperation(Number(result.lastInsertRowid))
  }

  /** Closes a database operation record with its outcome; `detail` replaces the detail given at start. */
  finishDbOperation(id: number, outcome: DbOperationOutcome): DbOperationRecord {
    const finishedAt = this.file.now().toISOString()
    const result = this.guarded('record the end of a database operation in', () =>
      this.file.db
        .prepare(
          `UPDATE db_operations
              SET status = ?, finished_at = ?, detail = COALESCE(?, detail),
                  backup_file = COALESCE(?, backup_file), backup_sha256 = COALESCE(?, backup_sha256)
            WHERE id = ?`
        )
        .run(
          outcome.status,
          finishedAt,
          outcome.detail === undefined ? null : (canonicalJson(outcome.detail) ?? null),
          outcome.backupFile ?? null,
          outcome.backupSha256 ?? null,
          id
        )
    )
    if (result.changes === 0) {
      throw new RampartError(
        'failed',
        `There is no database operation ${id} in the history file ${this.file.path} to finish`
      )
    }
    return this.readDbOperation(id)
  }

  /**
   * Closes a database operation left `running` by a process that is gone, and appends the
   * `db_operation` event that ends its story, in one IMMEDIATE transaction: of two processes
   * noticing it at once, one closes it and the other gets null.
   */
  interruptDbOperation(id: number, interruption: string, actor: string): DbOperationRecord | null {
    return this.file.write('record an interrupted database operation in', () =>
      this.file.db
        .transaction(() => {
          const record = this.closeInterrupted(id, interruption)
          if (record === null) return null
          this.events.appendEvent({
            kind: 'db_operation',
            actor,
            environment: record.environment,
            outcome: 'interrupted',
            detail: {
              operation: record.kind,
              operationId: id,
              database: record.database,
              startedBy: record.actor,
              startedAt: record.startedAt,
              interruption
            }
          })
          return record
        })
        .immediate()
    )
  }

  /**
   * Closes a record still `running` as `interrupted`, keeping its detail and adding why; null
   * when it is no longer running (it finished, or another process closed it first).
   */
  private closeInterrupted(id: number, interruption: string): DbOperationRecord | null {
    const result = this.guarded('record an interrupted database operation in', () =>
      this.file.db
        .prepare(
          `UPDATE db_operations
              SET status = 'interrupted', finished_at = ?,
                  detail = json_set(COALESCE(detail, '{}'), '$.interruption', ?)
            WHERE id = ? AND status = 'running'`
        )
        .run(this.file.now().toISOString(), interruption, id)
    )
    return result.changes === 0 ? null : this.readDbOperation(id)
  }

  /** Database operations, newest first. */
  listDbOperations(filter: DbOperationFilter = {}): DbOperationRecord[] {
    return this.newestFirst<DbOperationRow>(
      `SELECT ${DB_OPERATION_COLUMNS} FROM db_operations`,
      { environment: filter.environment, kind: filter.kind, status: filter.status },
      filter.limit
    ).map(fromDbOperationRow)
  }

  recordDockerAction(input: NewDockerAction): DockerActionRecord {
    const at = this.file.now().toISOString()
    const detail = input.detail === undefined ? null : (canonicalJson(input.detail) ?? null)
    const result = this.guarded('record a Docker action in', () =>
      this.file.db
        .prepare(
          `INSERT INTO docker_actions (at, environment, endpoint, container, action, outcome, detail)
           VALUES (?, ?, ?, ?, ?, ?, ?)`
        )
        .run(at, input.environment, input.endpoint, input.container, input.action, input.outcome, detail)
    )
    return {
      id: Number(result.lastInsertRowid),
      at,
      environment: input.environment,
      endpoint: input.endpoint,
      container: input.container,
      action: input.action,
      outcome: input.outcome,
      detail: parseJson(detail)
    }
  }

  /** Docker actions, newest first. */
  listDockerActions(filter: DockerActionFilter = {}): DockerActionRecord[] {
    return this.newestFirst<DockerActionRow>(
      'SELECT id, at, environment, endpoint, container, action, outcome, detail FROM docker_actions',
      { environment: filter.environment, container: filter.container },
      filter.limit
    ).map((row) => ({ ...row, detail: parseJson(row.detail) }))
  }

  /** `select` filtered by column equality (column names come from this file, values are bound), newest first. */
  private newestFirst<Row>(
    select: string,
    equals: Record<string, string | undefined>,
    limit: number | undefined
  ): Row[] {
    const given = Object.entries(equals).filter((entry): entry is [string, string] => entry[1] !== undefined)
    const params: Array<string | number> = given.map(([, value]) => value)
    let sql = select
    if (given.length > 0) sql += ` WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`
    sql += ' ORDER BY id DESC'
    if (limit !== undefined) {
      sql += ' LIMIT ?'
      params.push(positiveCount(limit))
    }
    return this.file.db.prepare<unknown[], Row>(sql).all(...params)
  }

  private readDbOperation(id: number): DbOperationRecord {
    const row = this.file.db
      .prepare<[number], DbOperationRow>(`SELECT ${DB_OPERATION_COLUMNS} FROM db_operations WHERE id = ?`)
      .get(id)
    if (row === undefined) {
      throw new RampartError(
        'failed',
        `Database operation ${id} vanished from ${this.file.path} right after it was written`
      )
    }
    return fromDbOperationRow(row)
  }

  private guarded<T>(what: string, action: () => T): T {
    try {
      return action()
    } catch (error) {
      if (error instanceof RampartError) throw error
      const code = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : undefined
      throw new RampartError(
        'failed',
        `Could not ${what} the history file ${this.file.path}: ` +
          `${error instanceof Error ? error.message : String(error)}`,
        { code }
      )
    }
  }
}

function fromDbOperationRow(row: DbOperationRow): DbOperationRecord {
  return {
    id: row.id,
    kind: row.kind,
    environment: row.environment,
    database: row.database,
    actor: row.actor,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    backupFile: row.backup_file,
    backupSha256: row.backup_sha256,
    detail: parseJson(row.detail),
    owner: ownerOf(row.owner)
  }
}

function ownerOf(text: string | null): ProcessIdentity | null {
  const value = parseJson(text) as { pid?: unknown; host?: unknown } | null
  if (value === null || typeof value !== 'object' || typeof value.pid !== 'number' || typeof value.host !== 'string')
    return null
  return { pid: value.pid, host: value.host }
}
