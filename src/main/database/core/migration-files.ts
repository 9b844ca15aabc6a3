import { createHash } from 'node:crypto'
import { RampartError } from '@shared/errors'
import { MAX_MIGRATION_VERSION } from '@shared/migration-types'
import { splitSqlStatements, type SqlStatement } from './sql-statements'

/**
 * The migrations directory as a set: forward files `NNN_name.sql` in version order, each paired
 * with its rollback (`NNN_name.down.sql`, or `rollback_name.sql` as in the seed), checksummed,
 * and checked for the rules the runner relies on. Pure: the caller reads the files.
 */

export interface MigrationSourceFile {
  /** The file's base name, e.g. `002_llm_management_tables.sql`. */
  fileName: string
  bytes: Uint8Array
}

export interface MigrationScript {
  fileName: string
  sql: string
  /** False when the first line is the `-- rampart:no-transaction` header. */
  transactional: boolean
  /** Only counted for scripts that need it (no-transaction); 0 otherwise. */
  statementCount: number
}

export interface Migration {
  version: number
  name: string
  fileName: string
  sql: string
  /** SHA-256 (hex) of the forward file, line endings normalised (see migrationChecksum). */
  checksum: string
  transactional: boolean
  rollback: MigrationScript | null
}

interface MigrationFileProblem {
  fileName: string
  line?: number
  message: string
}

export interface MigrationSetResult {
  migrations: Migration[]
  problems: MigrationFileProblem[]
}

const NO_TRANSACTION_HEADER = '-- rampart:no-transaction'

const FORWARD_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/
const DOWN_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\.down\.sql$/
const ROLLBACK_NAME = /^rollback_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/
const HEADER_LINE = /^--\s*rampart:no-transaction\s*$/

// A COMMIT inside a file would end the runner's transaction halfway and break all-or-nothing.
const TRANSACTION_CONTROL = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ABORT', 'ROLLBACK'])

interface Forward {
  version: number
  name: string
  fileName: string
  text: string
  checksum: string
}

interface Rollback {
  fileName: string
  text: string
  /** How it names its forward migration. */
  match: { version: number; name: string } | { name: string }
}

/**
 * Builds the ordered set. Non-`.sql` files (README.md…) are ignored; every other problem is
 * returned, each naming its file, so one run shows all of them.
 */
export function buildMigrationSet(files: readonly MigrationSourceFile[]): MigrationSetResult {
  const problems: MigrationFileProblem[] = []
  const forwards: Forward[] = []
  const rollbacks: Rollback[] = []

  for (const file of [...files].sort((a, b) => compareText(a.fileName, b.fileName))) {
    if (!file.fileName.toLowerCase().endsWith('.sql')) continue
    const text = decodeUtf8(file.bytes)
    if (text === null) {
      problems.push({ fileName: file.fileName, message: 'is not valid UTF-8 text' })
      continue
    }
    const down = DOWN_NAME.exec(file.fileName)
    if (down !== null) {
      const version = parseVersion(down[1]!, file.fileName, problems)
      if (version !== null) rollbacks.push({ fileName: file.fileName, text, match: { version, name: down[2]! } })
      continue
    }
    const rollback = ROLLBACK_NAME.exec(file.fileName)
    if (rollback !== null) {
      rollbacks.push({ fileName: file.fileName, text, match: { name: rollback[1]! } })
      continue
    }
    const forward = FORWARD_NAME.exec(file.fileName)
    if (forward !== null) {
      const version = parseVersion(forward[1]!, file.fileName, problems)
      if (version !== null) {
        forwards.push({
          version,
          name: forward[2]!,
          fileName: file.fileName,
          text,
          checksum: migrationChecksum(file.bytes)
        })
      }
      continue
    }
    problems.push({
      fileName: file.fileName,
      message:
        'is not a migration name: use NNN_name.sql (forward), NNN_name.down.sql or rollback_name.sql (rollback), ' +
        'where NNN is the version number and name is letters, digits, "_" or "-"'
    })
  }

  const byVersion = new Map<number, Forward>()
  for (const forward of forwards) {
    const earlier = byVersion.get(forward.version)
    if (earlier !== undefined) {
      problems.push({
        fileName: forward.fileName,
        message: `has version ${forward.version}, which ${earlier.fileName} already has; each version must be unique`
      })
      continue
    }
    byVersion.set(forward.version, forward)
  }

  const rollbackOf = new Map<number, Rollback>()
  for (const rollback of rollbacks) {
    const target = findForward(rollback, byVersion, problems)
    if (target === null) continue
    const other = rollbackOf.get(target.version)
    if (other !== undefined) {
      problems.push({
        fileName: rollback.fileName,
        message: `is a second rollback for ${target.fileName} (${other.fileName} is one already); keep only one`
      })
      continue
    }
    rollbackOf.set(target.version, rollback)
  }

  const migrations: Migration[] = []
  for (const forward of [...byVersion.values()].sort((a, b) => a.version - b.version)) {
    const script = analyseScript(forward.fileName, forward.text, problems)
    const rollback = rollbackOf.get(forward.version)
    migrations.push({
      version: forward.version,
      name: forward.name,
      fileName: forward.fileName,
      sql: forward.text,
      checksum: forward.checksum,
      transactional: script.transactional,
      rollback: rollback === undefined ? null : analyseScript(rollback.fileName, rollback.text, problems)
    })
  }
  return { migrations, problems }
}

/** The set, or a bad_input error listing every problem with `directory/file line N: …`. */
export function requireMigrationSet(files: readonly MigrationSourceFile[], directory: string): Migration[] {
  const { migrations, problems } = buildMigrationSet(files)
  if (problems.length > 0) {
    throw new RampartError(
      'bad_input',
      `The migrations in ${directory} have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n` +
        problems.map((problem) => `  ${describeProblem(directory, problem)}`).join('\n'),
      { problems }
    )
  }
  return migrations
}

function describeProblem(directory: string, problem: MigrationFileProblem): string {
  const where = problem.line === undefined ? '' : ` line ${problem.line}`
  return `${joinPath(directory, problem.fileName)}${where}: ${problem.message}`
}

/**
 * SHA-256 of the file with a leading byte-order mark dropped and CRLF read as LF, so a checkout
 * on Windows (git autocrlf) does not look like an edited migration; any other byte counts.
 */
export function migrationChecksum(bytes: Uint8Array): string {
  let start = 0
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3
  const normalised: number[] = []
  for (let index = start; index < bytes.length; index++) {
    const byte = bytes[index]!
    if (byte === 0x0d && bytes[index + 1] === 0x0a) continue
    normalised.push(byte)
  }
  return createHash('sha256').update(Uint8Array.from(normalised)).digest('hex')
}

/** Reads the header and enforces the rules: no transaction control, and one statement without a transaction. */
function analyseScript(fileName: string, text: string, problems: MigrationFileProblem[]): MigrationScript {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text
  const lines = body.split('\n')
  const transactional = !HEADER_LINE.test((lines[0] ?? '').replace(/\r$/, ''))
  for (let index = 1; index < lines.length; index++) {
    if (HEADER_LINE.test(lines[index]!.replace(/\r$/, ''))) {
      problems.push({
        fileName,
        line: index + 1,
        message: `has the ${NO_TRANSACTION_HEADER} header on line ${index + 1}; it only counts on the first line`
      })
    }
  }

  const split = splitSqlStatements(body)
  if (split.unterminated !== null) {
    const { kind, line, opener } = split.unterminated
    const what = {
      string: 'string',
      identifier: 'quoted identifier',
      comment: 'comment',
      'dollar-quote': 'dollar-quoted body'
    }[kind]
    problems.push({ fileName, line, message: `the ${what} opened here with ${opener} is never closed` })
    return { fileName, sql: text, transactional, statementCount: split.statements.length }
  }

  for (const statement of split.statements) {
    const control = transactionControl(statement)
    if (control !== null) {
      problems.push({
        fileName,
        line: statement.line,
        message:
          `${control} controls the transaction; the runner runs each migration in its own transaction, so ` +
          `remove BEGIN/COMMIT from the file (for a statement that cannot run in a transaction, put ` +
          `${NO_TRANSACTION_HEADER} on the first line and keep that one statement alone in the file)`
      })
    }
  }

  if (!transactional) {
    if (split.statements.length === 0) {
      problems.push({ fileName, line: 1, message: `has the ${NO_TRANSACTION_HEADER} header but no statement` })
    } else if (split.statements.length > 1) {
      const second = split.statements[1]!
      problems.push({
        fileName,
        line: second.line,
        message:
          `a second statement starts here (${preview(second)}), but a file with the ${NO_TRANSACTION_HEADER} header ` +
          `must hold exactly one statement, so a failure cannot leave it half applied; move it to its own migration`
      })
    }
  }
  return { fileName, sql: text, transactional, statementCount: split.statements.length }
}

function transactionControl(statement: SqlStatement): string | null {
  const [first, second] = statement.leadingWords
  if (first === undefined || !TRANSACTION_CONTROL.has(first)) return null
  // ROLLBACK TO SAVEPOINT stays inside the transaction and is allowed.
  if (first === 'ROLLBACK' && second === 'TO') return null
  return statement.leadingWords.slice(0, first === 'START' ? 2 : 1).join(' ')
}

function preview(statement: SqlStatement): string {
  const flat = statement.text.replace(/\s+/g, ' ').trim()
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat
}

function findForward(
  rollback: Rollback,
  byVersion: Map<number, Forward>,
  problems: MigrationFileProblem[]
): Forward | null {
  if ('version' in rollback.match) {
    const { version, name } = rollback.match
    const forward = byVersion.get(version)
    if (forward === undefined) {
      problems.push({
        fileName: rollback.fileName,
        message:
          `is a rollback for version ${version}, ` +
          `but there is no forward migration ${rollback.fileName.replace(/\.down\.sql$/, '.sql')}`
      })
      return null
    }
    if (forward.name !== name) {
      problems.push({
        fileName: rollback.fileName,
        message:
          `is a rollback for version ${version}, ` +
          `but that version's forward file is ${forward.fileName}; name them alike`
      })
      return null
    }
    return forward
  }
  const { name } = rollback.match
  const candidates = [...byVersion.values()].filter((forward) => forward.name === name)
  if (candidates.length === 0) {
    problems.push({
      fileName: rollback.fileName,
      message: `is a rollback for "${name}", but there is no forward migration NNN_${name}.sql`
    })
    return null
  }
  if (candidates.length > 1) {
    problems.push({
      fileName: rollback.fileName,
      message:
        `could roll back any of ${candidates.map((forward) => forward.fileName).join(', ')}; ` +
        `rename it NNN_${name}.down.sql`
    })
    return null
  }
  return candidates[0]!
}

function parseVersion(digits: string, fileName: string, problems: MigrationFileProblem[]): number | null {
  const version = Number(digits)
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_MIGRATION_VERSION) {
    problems.push({ fileName, message: `has version ${digits}, which is not between 1 and ${MAX_MIGRATION_VERSION}` })
    return null
  }
  return version
}

/** Strict UTF-8; a leading byte-order mark is dropped, since Postgres would read it as part of the first word. */
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Byte order, not locale order, so every machine sorts the directory alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function joinPath(directory: string, fileName: string): string {
  return directory.endsWith('/') || directory.endsWith('\\') ? `${directory}${fileName}` : `${directory}/${fileName}`
}
