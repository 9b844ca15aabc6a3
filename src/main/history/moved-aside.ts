import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import { RampartError } from '@shared/errors'

/**
 * The history files moved aside as unreadable, remembered across processes in a small JSON-lines
 * file beside the history file (`history.db.moved-aside.jsonl`): one line when a file is moved
 * aside, one when the operator acknowledges it. It lives outside the history file because the new
 * file may be damaged and moved aside in its turn, and a record kept inside it would go with it.
 * Lines are only ever appended (O_APPEND, fsync'd), so two processes cannot lose each other's.
 */

export interface MovedAsideFile {
  /** Where the unreadable file now is. */
  file: string
  /** Why it could not be read. */
  reason: string
  /** When it was moved (ISO 8601). */
  at: string
}

type MovedAsideLine =
  | ({ kind: 'moved' } & MovedAsideFile)
  | { kind: 'acknowledged'; file: string; at: string; actor: string; eventSeq: number }

export function movedAsideLogPath(historyPath: string): string {
  return `${historyPath}.moved-aside.jsonl`
}

/** Appends one line and fsyncs it: the record must outlive a crash right after the move. */
function appendLine(historyPath: string, line: MovedAsideLine): void {
  const target = movedAsideLogPath(historyPath)
  let fd: number
  try {
    fd = openSync(target, 'a', 0o644)
  } catch (error) {
    throw new RampartError('failed', `Cannot write ${target}: ${(error as Error).message}`)
  }
  try {
    writeSync(fd, `${JSON.stringify(line)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export function recordMovedAside(historyPath: string, moved: MovedAsideFile): void {
  appendLine(historyPath, { kind: 'moved', ...moved })
}

export function recordAcknowledged(
  historyPath: string,
  acknowledged: { file: string; at: string; actor: string; eventSeq: number }
): void {
  appendLine(historyPath, { kind: 'acknowledged', ...acknowledged })
}

/** The moved-aside files nobody has acknowledged yet, oldest first. */
export function unacknowledgedMovedAside(historyPath: string): MovedAsideFile[] {
  let text: string
  try {
    text = readFileSync(movedAsideLogPath(historyPath), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new RampartError('failed', `Cannot read ${movedAsideLogPath(historyPath)}: ${(error as Error).message}`)
  }
  const pending = new Map<string, MovedAsideFile>()
  for (const raw of text.split('\n')) {
    const line = parseLine(raw)
    if (line === null) continue
    if (line.kind === 'moved') pending.set(line.file, { file: line.file, reason: line.reason, at: line.at })
    else pending.delete(line.file)
  }
  return [...pending.values()]
}

/** What every command and the console say until the operator acknowledges the files. */
export function movedAsideWarning(historyPath: string, files: readonly MovedAsideFile[]): string | null {
  if (files.length === 0) return null
  const each = files.map(
    (moved) =>
      `The history file ${historyPath} could not be read (${moved.reason}) and was moved to ${moved.file} ` +
      `at ${moved.at}; the history since then is a new chain.`
  )
  return (
    `${each.join(' ')} Keep ${files.length === 1 ? 'that file' : 'those files'} for inspection, then run ` +
    '"rampart history acknowledge" to record that you have dealt with it.'
  )
}

/** A line cut short by a crash, or not ours, is skipped: the others still count. */
function parseLine(raw: string): MovedAsideLine | null {
  if (raw.trim() === '') return null
  try {
    const value = JSON.parse(raw) as Partial<MovedAsideLine>
    if (typeof value.file !== 'string' || typeof value.at !== 'string') return null
    if (value.kind === 'moved' && typeof value.reason === 'string') return value as MovedAsideLine
    if (value.kind === 'acknowledged') return value as MovedAsideLine
    return null
  } catch {
    return null
  }
}
