import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { RampartError } from '@shared/errors'
import { HISTORY_SCHEMA_VERSION, pendingMigrations } from './history-schema'
import { recordMovedAside } from './moved-aside'
import { currentProcess, type ProcessIdentity } from '@main/platform/process-liveness'
import {
  electronBindingPath,
  NATIVE_BUILD_COMMAND,
  projectRoot,
  resolveNativeBinding
} from '@main/platform/native-binding'

export interface HistoryFileOptions {
  now?: () => Date
  /** Overrides the better-sqlite3 addon path chosen by resolveNativeBinding. */
  nativeBinding?: string
  /** The process named as owner of the database operations it opens; this one by default. */
  process?: ProcessIdentity
}

type OpenAttempt = { kind: 'opened'; db: Database.Database } | { kind: 'corrupt'; reason: string }

const BUSY_TIMEOUT_MS = 5000

/**
 * The local history file, opened, checked and migrated: the one connection its records share
 * (events, rollouts, guard windows, runbooks, operations). One instance per process; the app
 * and the CLI may have the same file open at once (WAL, busy timeout).
 */
export class HistoryFile {
  readonly path: string
  /** Set when the file found at `path` was unreadable and moved here before a fresh one was made. */
  readonly recoveredFrom?: string
  /** A message for the operator about what happened at open, to show once in the UI and CLI. */
  readonly warning?: string
  readonly db: Database.Database
  readonly now: () => Date
  /** The process named as owner of the database operations it opens. */
  readonly identity: ProcessIdentity

  private constructor(
    db: Database.Database,
    filePath: string,
    now: () => Date,
    identity: ProcessIdentity,
    recoveredFrom?: string,
    warning?: string
  ) {
    this.db = db
    this.path = filePath
    this.now = now
    this.identity = identity
    if (recoveredFrom !== undefined) this.recoveredFrom = recoveredFrom
    if (warning !== undefined) this.warning = warning
  }

  /**
   * Opens (creating when absent) the history file and brings its schema up to date. Refuses a
   * file written by a newer Rampart; moves an unreadable file aside and starts a fresh one.
   */
  static open(filePath: string, options: HistoryFileOptions = {}): HistoryFile {
    const now = options.now ?? (() => new Date())
    const identity = options.process ?? currentProcess()
    const absolute = path.resolve(filePath)
    try {
      mkdirSync(path.dirname(absolute), { recursive: true })
    } catch (error) {
      throw new RampartError(
        'failed',
        `Cannot create the folder for the history file ${absolute}: ${messageOf(error)}`,
        { historyFile: absolute }
      )
    }
    const nativeBinding = options.nativeBinding ?? resolveNativeBinding()

    const first = openChecked(absolute, nativeBinding)
    if (first.kind === 'opened') return new HistoryFile(first.db, absolute, now, identity)

    const movedTo = moveAside(absolute, now())
    const second = openChecked(absolute, nativeBinding)
    if (second.kind !== 'opened') {
      throw new RampartError(
        'failed',
        `The history file ${absolute} is still unreadable after moving the old one to ${movedTo}: ${second.reason}`,
        { historyFile: absolute }
      )
    }
    // Remembered beside the file until the operator acknowledges it: every command names it until then.
    let remembered = ''
    try {
      recordMovedAside(absolute, { file: movedTo, reason: first.reason, at: now().toISOString() })
    } catch (error) {
      remembered = ` (It could not be noted for later commands: ${messageOf(error)}.)`
    }
    const warning =
      `The history file ${absolute} could not be read (${first.reason}). It was moved to ${movedTo} ` +
      `and kept for inspection; a new, empty history was started in its place.${remembered}`
    return new HistoryFile(second.db, absolute, now, identity, movedTo, warning)
  }

  /** Runs `action`, turning a SQLite failure into an operator's message that names the file and what was being done. */
  write<T>(what: string, action: () => T): T {
    try {
      return action()
    } catch (error) {
      if (error instanceof RampartError) throw error
      const hint = isCorruption(error)
        ? '; the file is damaged: `rampart history verify` says where (copy the file before anything else)'
        : ''
      throw new RampartError('failed', `Could not ${what} the history file ${this.path}: ${messageOf(error)}${hint}`, {
        code: sqliteCode(error),
        historyFile: this.path
      })
    }
  }

  close(): void {
    if (this.db.open) this.db.close()
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
      throw new RampartError(
        'failed',
        `The history file ${file} cannot use WAL mode (SQLite kept journal_mode=${String(mode)})`,
        { historyFile: file }
      )
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
  const bytes =
    (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)
  if (bytes <= FULL_OPEN_CHECK_MAX_BYTES) return quickCheck(db)
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    .all()
    .map((row) => row.name)
    .filter((name) => name !== GROWING_TABLE)
  return tables.flatMap((table) => quickCheck(db, table))
}

/** `PRAGMA quick_check` of the whole file, or of one table and its indexes; the problems it names. */
export function quickCheck(db: Database.Database, table?: string): string[] {
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
    throw new RampartError('failed', `Cannot read the history file ${file}: ${messageOf(error)}`, {
      historyFile: file
    })
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
        `${HISTORY_SCHEMA_VERSION}. It was written by a newer Rampart; upgrade Rampart to open it. ` +
        'The file was not changed.',
      { historyFile: file }
    )
  }
}

/**
 * Applies pending migrations in one IMMEDIATE transaction, re-reading the version inside it in case
 * another process just did.
 */
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
      `The history file ${file} is unreadable and could not be moved to ${target}: ${messageOf(error)}`,
      { historyFile: file }
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
      { cause: message, historyFile: file }
    )
  }
  return new RampartError('failed', `Cannot open the history file ${file}: ${message}`, {
    code: sqliteCode(error),
    historyFile: file
  })
}

/**
 * Why the history file could not be opened, read or written, or null when `error` is about
 * something else. The emergency kill asks this to go on without the history (docs/runbooks.md):
 * every failure this module raises names the file in its detail, and any other SQLite error can
 * only come from the history file, the one SQLite database Rampart has.
 */
export function historyFailure(error: unknown): string | null {
  if (error instanceof Database.SqliteError) return `${error.code}: ${error.message}`
  if (!(error instanceof RampartError)) return null
  const detail = error.detail as { historyFile?: unknown } | undefined
  return typeof detail?.historyFile === 'string' ? error.message : null
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

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
