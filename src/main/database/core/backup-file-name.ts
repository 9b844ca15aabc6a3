import { createHash } from 'node:crypto'

/**
 * Where a pg_dump backup goes: `<env>/<database>-<UTC timestamp>.dump` under the backups folder
 * ($RAMPART_HOME/backups). A database name may hold any character (quotes, slashes, spaces), so
 * only letters, digits, "_" and "-" are kept; when anything had to be replaced, a short hash of
 * the real name keeps two such databases apart.
 */
// Starting with a letter or digit: a file named "-rf…" would read as an option in a shell.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const MAX_NAME_CHARS = 80

const BACKUP_EXTENSION = '.dump'

export function backupFileName(database: string, at: Date): string {
  return `${safeFilePart(database)}-${compactUtc(at)}${BACKUP_EXTENSION}`
}

/** Path segments below the backups folder: the environment's folder, then the file. */
export function backupPathSegments(environment: string, database: string, at: Date): [string, string] {
  return [safeFilePart(environment), backupFileName(database, at)]
}

/** 2025-11-03T09:00:00.123Z becomes 20251103T090000.123Z: sorts by time, no ":" for Windows. */
export function compactUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '')
}

function safeFilePart(name: string): string {
  if (SAFE_NAME.test(name) && name.length <= MAX_NAME_CHARS) return name
  const readable = name
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_NAME_CHARS - 9)
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8)
  return readable === '' ? hash : `${readable}_${hash}`
}
