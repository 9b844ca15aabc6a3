import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { RampartError } from '@shared/errors'
import {
  HISTORY_EVENT_KINDS,
  type ChainReport,
  type GuardWindowRecord,
  type HistoryEvent,
  type HistoryEventKind,
  type JsonValue,
  type NewHistoryEvent,
  type RolloutRecord
} from '@shared/history-types'
import { canonicalJson, eventHash, verifyChain, type ChainHead } from './core/history-chain'
import { HISTORY_SCHEMA_VERSION, pendingMigrations } from './history-schema'
import { RunbookRecords } from './runbook-records'
import { parseJson, positiveCount } from './history-values'
import {
  OperationRecords,
  type DbOperationFilter,
  type DbOperationOutcome,
  type DbOperationRecord,
  type DockerActionFilter,
  type DockerActionRecord,
  type NewDbOperation,
  type NewDockerAction
} from './operation-records'

export type { DbOperationOutcome, DbOperationRecord, DockerActionRecord, NewDbOperation, NewDockerAction } from './operation-records'
import { currentProcess, type ProcessIdentity } from '@main/platform/process-liveness'
import { electronBindingPath, NATIVE_BUILD_COMMAND, projectRoot, resolveNativeBinding } from '@main/platform/native-binding'

export interface HistoryStoreOptions {
  now?: () => Date
  /** Overrides the better-sqlite3 addon path chosen by resolveNativeBinding. */
  nativeBinding?: string
  /** The process named as owner of the database operations it opens; this one by default. */
  process?: ProcessIdentity
}

export interface EventFilter {
  flag?: string
  environment?: string
  kinds?: readonly HistoryEventKind[]
  /** Only events after this seq, for paging and for following new events. */
  sinceSeq?: number
  /** The first `limit` matching events. */
  limit?: number
  /** Only the newest `newest` matching events (still returned oldest first). */
  newest?: number
}

export interface RolloutWithEvents {
  rollout: RolloutRecord
  events: HistoryEvent[]
}

export interface NewGuardWindow {
  flag: string
  environment: string
  windowStart: string
  windowSeconds: number
  decision: string
  figures: unknown
}

interface EventRow {
  seq: number
  at: string
  kind: string
  actor: string
  flag: string | null
  environment: string | null
  reason: string | null
  from_state: string | null
  to_state: string | null
  guard_snapshot: string | null
  outcome: string | null
  detail: string | null
  prev_hash: string
  hash: string
}

interface RolloutRow {
  flag: string
  environment: string
  created_at: string
  updated_at: string
  state: string
}

interface GuardWindowRow {
  id: number
  flag: string
  environment: string
  window_start: string
  window_seconds: number
  decision: string
  figures: string
  recorded_at: string
}

type EventFields = Omit<HistoryEvent, 'seq' | 'at' | 'prevHash' | 'hash'>

type OpenAttempt = { kind: 'opened'; db: Database.Database } | { kind: 'corrupt'; reason: string }

const BUSY_TIMEOUT_MS = 5000
const EVENT_COLUMNS =
  'seq, at, kind, actor, flag, environment, reason, from_state, to_state, guard_snapshot, outcome, detail, prev_hash, hash'

/**
 * The local history file: rollouts, their append-only hash-chained events, guard windows and
 * the records later runbooks and database operations write. One instance per process; the app
 * and the CLI may have the same file open at once (WAL, busy timeout).
 */
export class HistoryStore {
  readonly path: string
  /** Set when the file found at `path` was unreadable and moved here before a fresh one was made. */
  readonly recoveredFrom?: string
  /** A message for the operator about what happened at open, to show once in the UI and CLI. */
  readonly warning?: string

  private readonly db: Database.Database
  private readonly now: () => Date
  private readonly identity: ProcessIdentity
  private runbookRecords: RunbookRecords | undefined
  private operationRecords: OperationRecords | undefined
  private readonly appendInTransaction: Database.Transaction<(fields: EventFields) => HistoryEvent>

  private constructor(db: Database.Database, filePath: string, now: () => Date, identity: ProcessIdentity, recoveredFrom?: string, warning?: string) {
    this.db = db
    this.path = filePath
    this.now = now
    this.identity = identity
    if (recoveredFrom !== undefined) this.recoveredFrom = recoveredFrom
    if (warning !== undefined) this.warning = warning

    const readHead = db.prepare<[], ChainHead>('SELECT seq, hash FROM chain_head WHERE id = 1')
    const insertEvent = db.prepare(
      `INSERT INTO events (${EVENT_COLUMNS}) VALUES (@seq, @at, @kind, @actor, @flag, @environment, @reason,
        @from_state, @to_state, @guard_snapshot, @outcome, @detail, @prev_hash, @hash)`
    )
    const updateHead = db.prepare('UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1')
    this.appendInTransaction = db.transaction((fields: EventFields) => {
      const head = readHead.get()
      if (head === undefined) {
        throw new RampartError(
          'failed',
          `The history file ${this.path} has no chain head record (table chain_head); it was tampered with. ` +
            'Run `rampart history verify` and keep the file for inspection.'
        )
      }
      const unhashed = { seq: head.seq + 1, at: this.now().toISOString(), ...fields }
      const event: HistoryEvent = { ...unhashed, prevHash: head.hash, hash: eventHash(head.hash, unhashed) }
      insertEvent.run(toEventRow(event))
      updateHead.run(event.seq, event.hash)
      return event
    })
  }

  /**
   * Opens (creating when absent) the history file and brings its schema up to date. Refuses a
   * file written by a newer Rampart; moves an unreadable file aside and starts a fresh one.
   */
  static open(filePath: string, options: HistoryStoreOptions = {}): HistoryStore {
    const now = options.now ?? (() => new Date())
    const identity = options.process ?? currentProcess()
    const absolute = path.resolve(filePath)
    try {
      mkdirSync(path.dirname(absolute), { recursive: true })
    } catch (error) {
      throw new RampartError('failed', `Cannot create the folder for the history file ${absolute}: ${messageOf(error)}`)
    }
    const nativeBinding = options.nativeBinding ?? resolveNativeBinding()

    const first = openChecked(absolute, nativeBinding)
    if (first.kind === 'opened') return new HistoryStore(first.db, absolute, now, identity)

    const movedTo = moveAside(absolute, now())
    const second = openChecked(absolute, nativeBinding)
    if (second.kind !== 'opened') {
      throw new RampartError(
        'failed',
        `The history file ${absolute} is still unreadable after moving the old one to ${movedTo}: ${second.reason}`
      )
    }
    const warning =
      `The history file ${absolute} could not be read (${first.reason}). It was moved to ${movedTo} ` +
      'and kept for inspection; a new, empty history was started in its place.'
    return new HistoryStore(second.db, absolute, now, identity, movedTo, warning)
  }

  /**
   * Appends one event in one IMMEDIATE transaction (read head, hash, insert, move head), so two
   * processes appending at once serialise instead of forking the chain. Callers pass redacted
   * data only: the file is append-only, so a secret written here can never be taken out again.
   */
  appendEvent(input: NewHistoryEvent): HistoryEvent {
    if (!(HISTORY_EVENT_KINDS as readonly string[]).includes(input.kind)) {
      throw new RampartError(
        'bad_input',
        `History event kind "${String(input.kind)}" is not one of ${HISTORY_EVENT_KINDS.join(', ')}`
      )
    }
    if (typeof input.actor !== 'string' || input.actor.trim() === '') {
      throw new RampartError('bad_input', `History event "${input.kind}" has no actor; every recorded action names who did it`)
    }
    const fields: EventFields = {
      kind: input.kind,
      actor: input.actor,
      flag: input.flag ?? null,
      environment: input.environment ?? null,
      reason: input.reason ?? null,
      fromState: jsonField(input, 'fromState'),
      toState: jsonField(input, 'toState'),
      guardSnapshot: jsonField(input, 'guardSnapshot'),
      outcome: input.outcome ?? null,
      detail: jsonField(input, 'detail')
    }
    return this.write('append an event to', () => this.appendInTransaction.immediate(fields))
  }

  /** Events in seq order, oldest first. */
  listEvents(filter: EventFilter = {}): HistoryEvent[] {
    const conditions: string[] = []
    const params: Array<string | number> = []
    if (filter.flag !== undefined) {
      conditions.push('flag = ?')
      params.push(filter.flag)
    }
    if (filter.environment !== undefined) {
      conditions.push('environment = ?')
      params.push(filter.environment)
    }
    if (filter.kinds !== undefined) {
      if (filter.kinds.length === 0) return []
      conditions.push(`kind IN (${filter.kinds.map(() => '?').join(', ')})`)
      params.push(...filter.kinds)
    }
    if (filter.sinceSeq !== undefined) {
      conditions.push('seq > ?')
      params.push(filter.sinceSeq)
    }
    let sql = `SELECT ${EVENT_COLUMNS} FROM events`
    if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`
    if (filter.newest !== undefined) {
      sql = `SELECT * FROM (${sql} ORDER BY seq DESC LIMIT ?)`
      params.push(positiveCount(filter.newest))
    }
    sql += ' ORDER BY seq'
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?'
      params.push(positiveCount(filter.limit))
    }
    return this.db.prepare<unknown[], EventRow>(sql).all(...params).map(fromEventRow)
  }

  /** Runbook runs and their steps (created on first use, sharing this connection). */
  get runbooks(): RunbookRecords {
    this.runbookRecords ??= new RunbookRecords(this.db, this.now)
    return this.runbookRecords
  }

  /** The seq of the newest event, 0 when there is none. */
  headSeq(): number {
    return this.db.prepare<[], { seq: number }>('SELECT seq FROM chain_head WHERE id = 1').get()?.seq ?? 0
  }

  getEvent(seq: number): HistoryEvent | undefined {
    const row = this.db.prepare<[number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = ?`).get(seq)
    return row === undefined ? undefined : fromEventRow(row)
  }

  /** SQLite's `quick_check` over the whole file, guard windows included: the problems it names, none when sound. */
  storageProblems(): string[] {
    return quickCheck(this.db)
  }

  /** Checks every event's hash and link and the recorded head, in one read transaction. */
  verify(): ChainReport {
    const read = this.db.transaction(() => {
      const events = this.db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq`).all()
      const head = this.db.prepare<[], ChainHead>('SELECT seq, hash FROM chain_head WHERE id = 1').get()
      return { events: events.map(fromEventRow), head: head ?? null }
    })
    const { events, head } = read.deferred()
    return verifyChain(events, head)
  }

  /** Creates or replaces the current state of a rollout; the first call sets created_at. */
  upsertRollout(input: { flag: string; environment: string; state: unknown }): RolloutRecord {
    const at = this.now().toISOString()
    const state = canonicalJson(input.state) ?? 'null'
    this.write('record the rollout state in', () =>
      this.db
        .prepare(
          `INSERT INTO rollouts (flag, environment, created_at, updated_at, state) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (flag, environment) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state`
        )
        .run(input.flag, input.environment, at, at, state)
    )
    const stored = this.readRollout(input.flag, input.environment)
    if (stored === undefined) {
      throw new RampartError(
        'failed',
        `Rollout ${input.flag}/${input.environment} vanished from ${this.path} right after it was written`
      )
    }
    return stored
  }

  listRollouts(): RolloutRecord[] {
    return this.db
      .prepare<[], RolloutRow>('SELECT flag, environment, created_at, updated_at, state FROM rollouts ORDER BY flag, environment')
      .all()
      .map(fromRolloutRow)
  }

  /** The rollout's record alone: what a move needs, without reading its events. */
  getRolloutRecord(flag: string, environment: string): RolloutRecord | undefined {
    return this.readRollout(flag, environment)
  }

  getRollout(flag: string, environment: string): RolloutWithEvents | undefined {
    const rollout = this.readRollout(flag, environment)
    if (rollout === undefined) return undefined
    return { rollout, events: this.listEvents({ flag, environment }) }
  }

  recordGuardWindow(input: NewGuardWindow): GuardWindowRecord {
    const recordedAt = this.now().toISOString()
    const figures = canonicalJson(input.figures) ?? 'null'
    const result = this.write('record a guard window in', () =>
      this.db
        .prepare(
          `INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`
        )
        .run(input.flag, input.environment, input.windowStart, input.windowSeconds, input.decision, figures, recordedAt)
    )
    return {
      id: Number(result.lastInsertRowid),
      flag: input.flag,
      environment: input.environment,
      windowStart: input.windowStart,
      windowSeconds: input.windowSeconds,
      decision: input.decision,
      figures: parseJson(figures),
      recordedAt
    }
  }

  /**
   * Guard windows of one rollout in window order; with `since` (an ISO 8601 instant as
   * `toISOString` writes it, like every stored window start) only those starting at or after it,
   * read through the rollout's index, so a move costs the same with a year of windows on file.
   */
  listGuardWindows(flag: string, environment: string, filter: { since?: string } = {}): GuardWindowRecord[] {
    const since = filter.since === undefined ? '' : ' AND window_start >= ?'
    const params = filter.since === undefined ? [flag, environment] : [flag, environment, filter.since]
    // Guard windows are not checked at every open (see FULL_OPEN_CHECK_MAX_BYTES): damage shows here, named.
    const rows = this.write('read guard windows from', () =>
      this.db
        .prepare<string[], GuardWindowRow>(
          `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
           FROM guard_windows WHERE flag = ? AND environment = ?${since} ORDER BY window_start, id`
        )
        .all(...params)
    )
    return rows.map((row) => ({
        id: row.id,
        flag: row.flag,
        environment: row.environment,
        windowStart: row.window_start,
        windowSeconds: row.window_seconds,
        decision: row.decision,
        figures: parseJson(row.figures),
        recordedAt: row.recorded_at
      }))
  }

  /** Database operations and Docker actions (sharing this connection). */
  get operations(): OperationRecords {
    this.operationRecords ??= new OperationRecords(this.db, this.now, this.path, this.identity)
    return this.operationRecords
  }

  startDbOperation(input: NewDbOperation): DbOperationRecord {
    return this.operations.startDbOperation(input)
  }

  finishDbOperation(id: number, outcome: DbOperationOutcome): DbOperationRecord {
    return this.operations.finishDbOperation(id, outcome)
  }

  listDbOperations(filter: DbOperationFilter = {}): DbOperationRecord[] {
    return this.operations.listDbOperations(filter)
  }

  /**
   * Closes a database operation left `running` by a process that is gone, and appends the
   * `db_operation` event that ends its story, in one IMMEDIATE transaction: of two processes
   * noticing it at once, one closes it and the other gets null.
   */
  interruptDbOperation(id: number, interruption: string, actor: string): DbOperationRecord | null {
    return this.write('record an interrupted database operation in', () =>
      this.db
        .transaction(() => {
          const record = this.operations.interruptDbOperation(id, interruption)
          if (record === null) return null
          this.appendEvent({
            kind: 'db_operation',
            actor,
            environment: record.environment,
            outcome: 'interrupted',
            detail: { operation: record.kind, operationId: id, database: record.database, startedBy: record.actor, startedAt: record.startedAt, interruption }
          })
          return record
        })
        .immediate()
    )
  }

  recordDockerAction(input: NewDockerAction): DockerActionRecord {
    return this.operations.recordDockerAction(input)
  }

  listDockerActions(filter: DockerActionFilter = {}): DockerActionRecord[] {
    return this.operations.listDockerActions(filter)
  }

  /** When the rollout's newest guard window started, or null before its first; read from the index alone. */
  latestGuardWindowStart(flag: string, environment: string): string | null {
    const row = this.db
      .prepare<[string, string], { latest: string | null }>('SELECT MAX(window_start) AS latest FROM guard_windows WHERE flag = ? AND environment = ?')
      .get(flag, environment)
    return row?.latest ?? null
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  private readRollout(flag: string, environment: string): RolloutRecord | undefined {
    const row = this.db
      .prepare<[string, string], RolloutRow>(
        'SELECT flag, environment, created_at, updated_at, state FROM rollouts WHERE flag = ? AND environment = ?'
      )
      .get(flag, environment)
    return row === undefined ? undefined : fromRolloutRow(row)
  }

  private write<T>(what: string, action: () => T): T {
    try {
      return action()
    } catch (error) {
      if (error instanceof RampartError) throw error
      const hint = isCorruption(error) ? '; the file is damaged: `rampart history verify` says where (copy the file before anything else)' : ''
      throw new RampartError('failed', `Could not ${what} the history file ${this.path}: ${messageOf(error)}${hint}`, {
        code: sqliteCode(error)
      })
    }
  }
}

/** Opens the file and runs the checks; only corruption is returned, everything else is thrown. */
function openChecked(file: string, nativeBinding: string | undefined): OpenAttempt {
  // Decided before SQLite sees the file: closing a connection on a non-database deletes its -wal.
  if (!hasSqliteHeader(file)) return { kind: 'corrupt', reason: 'it is not a SQLite database (wrong file header)' }
  let db: Database.Database
  try {
    db = new Database(file, { nativeBinding })
  } catch (error) {
    if (isCorruption(error)) return { kind: 'corrupt', reason: messageOf(error) }
    throw openFailure(file, error)
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // Read the version before anything writes, so a newer file is left exactly as it was.
    refuseNewer(file, db.pragma('user_version', { simple: true }) as number)
    const problems = openTimeIntegrityProblems(db)
    if (problems.length > 0) {
      db.close()
      const more = problems.length > 3 ? ` and ${problems.length - 3} more` : ''
      return { kind: 'corrupt', reason: `SQLite integrity check failed: ${problems.slice(0, 3).join('; ')}${more}` }
    }
    const mode = db.pragma('journal_mode = WAL', { simple: true })
    if (mode !== 'wal') {
      throw new RampartError('failed', `The history file ${file} cannot use WAL mode (SQLite kept journal_mode=${String(mode)})`)
    }
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    migrate(file, db)
    return { kind: 'opened', db }
  } catch (error) {
    if (db.open) db.close()
    if (isCorruption(error)) return { kind: 'corrupt', reason: messageOf(error) }
    throw openFailure(file, error)
  }
}

/**
 * Up to this size the whole file is checked at every open. A full `quick_check` reads every page
 * (about 100 ms per 100 MB from the page cache, seconds from a cold disk), and most of a grown
 * file is guard windows: above it, every table but `guard_windows` is checked at open, and the
 * whole file by `rampart history verify`.
 */
export const FULL_OPEN_CHECK_MAX_BYTES = 8 * 1024 * 1024

/** The table that grows with every guard window, checked in full only by `storageProblems`. */
const GROWING_TABLE = 'guard_windows'

function openTimeIntegrityProblems(db: Database.Database): string[] {
  const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)
  if (bytes <= FULL_OPEN_CHECK_MAX_BYTES) return quickCheck(db)
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.name)
    .filter((name) => name !== GROWING_TABLE)
  return tables.flatMap((table) => quickCheck(db, table))
}

/** `PRAGMA quick_check` of the whole file, or of one table and its indexes; the problems it names. */
function quickCheck(db: Database.Database, table?: string): string[] {
  const pragma = table === undefined ? 'quick_check' : `quick_check('${table.replace(/'/g, "''")}')`
  return (db.pragma(pragma) as Array<{ quick_check: string }>)
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('*** in database'))
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

/** True for a missing or empty file too: SQLite makes those into a new database. */
function hasSqliteHeader(file: string): boolean {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw new RampartError('failed', `Cannot read the history file ${file}: ${messageOf(error)}`)
  }
  try {
    const start = Buffer.alloc(SQLITE_HEADER.length)
    const length = readSync(fd, start, 0, start.length, 0)
    return length === 0 || start.equals(SQLITE_HEADER)
  } finally {
    closeSync(fd)
  }
}

function refuseNewer(file: string, version: number): void {
  if (version > HISTORY_SCHEMA_VERSION) {
    throw new RampartError(
      'refused',
      `The history file ${file} has schema version ${version}, but this Rampart supports up to version ` +
        `${HISTORY_SCHEMA_VERSION}. It was written by a newer Rampart; upgrade Rampart to open it. The file was not changed.`
    )
  }
}

/** Applies pending migrations in one IMMEDIATE transaction, re-reading the version inside it in case another process just did. */
function migrate(file: string, db: Database.Database): void {
  if (pendingMigrations(db.pragma('user_version', { simple: true }) as number).length === 0) return
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    refuseNewer(file, current)
    const pending = pendingMigrations(current)
    for (const migration of pending) db.exec(migration.sql)
    const target = pending[pending.length - 1]
    if (target !== undefined) db.pragma(`user_version = ${target.version}`)
  }).immediate()
}

/** Renames the file and its WAL companions so SQLite still pairs them, and returns the new main path. */
function moveAside(file: string, at: Date): string {
  const stamp = at.toISOString().replace(/:/g, '')
  let target = `${file}.corrupt-${stamp}`
  for (let attempt = 2; existsSync(target); attempt++) target = `${file}.corrupt-${stamp}-${attempt}`
  try {
    renameSync(file, target)
  } catch (error) {
    throw new RampartError(
      'failed',
      `The history file ${file} is unreadable and could not be moved to ${target}: ${messageOf(error)}`
    )
  }
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix)
  }
  return target
}

function openFailure(file: string, error: unknown): RampartError {
  if (error instanceof RampartError) return error
  const message = messageOf(error)
  const electronVersion = process.versions.electron
  if (electronVersion !== undefined && isAddonLoadFailure(error)) {
    const expected = electronBindingPath(projectRoot(), electronVersion)
    return new RampartError(
      'failed',
      `better-sqlite3 is not built for Electron ${electronVersion}, so the history file ${file} cannot be opened. ` +
        `Expected ${expected}. Build it with \`${NATIVE_BUILD_COMMAND}\` and restart Rampart.`,
      { cause: message }
    )
  }
  return new RampartError('failed', `Cannot open the history file ${file}: ${message}`, { code: sqliteCode(error) })
}

function isAddonLoadFailure(error: unknown): boolean {
  const message = messageOf(error)
  return (
    (error as { code?: unknown } | null)?.code === 'ERR_DLOPEN_FAILED' ||
    message.includes('NODE_MODULE_VERSION') ||
    message.includes('Could not locate the bindings file')
  )
}

function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error)
  return code === 'SQLITE_NOTADB' || (code?.startsWith('SQLITE_CORRUPT') ?? false)
}

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The value as it will read back from the file, so the hash at append equals the hash at verify. */
function jsonField(input: NewHistoryEvent, field: 'fromState' | 'toState' | 'guardSnapshot' | 'detail'): JsonValue {
  let text: string | undefined
  try {
    text = canonicalJson(input[field])
  } catch (error) {
    throw new RampartError('bad_input', `History event "${input.kind}" field ${field} cannot be stored as JSON: ${messageOf(error)}`)
  }
  return text === undefined ? null : (JSON.parse(text) as JsonValue)
}

function jsonColumn(value: JsonValue): string | null {
  return value === null ? null : (canonicalJson(value) ?? null)
}



function toEventRow(event: HistoryEvent): EventRow {
  return {
    seq: event.seq,
    at: event.at,
    kind: event.kind,
    actor: event.actor,
    flag: event.flag,
    environment: event.environment,
    reason: event.reason,
    from_state: jsonColumn(event.fromState),
    to_state: jsonColumn(event.toState),
    guard_snapshot: jsonColumn(event.guardSnapshot),
    outcome: event.outcome,
    detail: jsonColumn(event.detail),
    prev_hash: event.prevHash,
    hash: event.hash
  }
}

function fromEventRow(row: EventRow): HistoryEvent {
  return {
    seq: row.seq,
    at: row.at,
    // An unknown kind from a newer build is shown as stored rather than rejected.
    kind: row.kind as HistoryEventKind,
    actor: row.actor,
    flag: row.flag,
    environment: row.environment,
    reason: row.reason,
    fromState: parseJson(row.from_state),
    toState: parseJson(row.to_state),
    guardSnapshot: parseJson(row.guard_snapshot),
    outcome: row.outcome,
    detail: parseJson(row.detail),
    prevHash: row.prev_hash,
    hash: row.hash
  }
}

function fromRolloutRow(row: RolloutRow): RolloutRecord {
  return {
    flag: row.flag,
    environment: row.environment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    state: parseJson(row.state)
  }
}
