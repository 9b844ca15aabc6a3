import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import path from 'node:path'
import { RampartError } from '@shared/errors'
import type { HistoryEvent, NewHistoryEvent } from '@shared/history-types'
import type { EventLog } from './event-log'

/**
 * Kills done while the history file could not be opened or written (a newer Rampart's file, a
 * damaged or locked one, a full disk). The emergency kill is never blocked by the history file
 * (docs/runbooks.md): it goes through and its events are journaled here, one JSON line each,
 * fsync'd, in `history.db.pending-kills.jsonl` beside the history file. The next Rampart that can
 * write the history appends them to the chain, each naming that it was journaled (when, why, the
 * journal's id), and renames the journal to `….appended-<time>`, kept as evidence.
 */

export interface JournaledKill {
  /** Unique per entry: an entry already in the chain is never appended twice. */
  id: string
  /** When the kill happened (the appended event's `at` is when it reached the chain). */
  journaledAt: string
  /** Why the history could not take it then. */
  why: string
  event: NewHistoryEvent
}

export function pendingKillsPath(historyPath: string): string {
  return `${historyPath}.pending-kills.jsonl`
}

/**
 * Appends one kill to the journal and fsyncs it (and the folder, when the journal is new), so the
 * record survives a crash or power loss right after the kill. Returns the entry as written.
 */
export function journalKill(
  historyPath: string,
  entry: { journaledAt: string; why: string; event: NewHistoryEvent }
): JournaledKill {
  const journal = pendingKillsPath(historyPath)
  const written: JournaledKill = { id: randomBytes(12).toString('hex'), ...entry }
  const created = !existsSync(journal)
  let fd: number
  try {
    // The history's folder may never have been made (the history file could not be created either).
    mkdirSync(path.dirname(journal), { recursive: true })
    fd = openSync(journal, 'a', 0o600)
  } catch (error) {
    throw new RampartError('failed', `Cannot write the kill journal ${journal}: ${(error as Error).message}`)
  }
  try {
    writeSync(fd, `${JSON.stringify(written)}\n`)
    fsyncSync(fd)
  } catch (error) {
    throw new RampartError('failed', `Cannot write the kill journal ${journal}: ${(error as Error).message}`)
  } finally {
    closeSync(fd)
  }
  if (created) fsyncFolder(path.dirname(journal))
  return written
}

/**
 * Appends every journaled kill to the chain (once each), then renames the journal aside. The
 * journal is renamed first and read from its new name, so a kill journaled meanwhile goes to a
 * fresh journal for the next time instead of being lost between the read and the rename. When the
 * history cannot take them, the entries go back to the journal and the error is thrown.
 */
export function appendPendingKills(history: { path: string; events: Pick<EventLog, 'appendJournaledOnce'> }): {
  appended: HistoryEvent[]
  journal: string
} | null {
  const journal = pendingKillsPath(history.path)
  if (!existsSync(journal)) return null
  const taken = `${journal}.appended-${new Date().toISOString().replace(/:/g, '')}-${randomBytes(3).toString('hex')}`
  try {
    renameSync(journal, taken)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new RampartError('failed', `Cannot take the kill journal ${journal}: ${(error as Error).message}`)
  }
  const appended: HistoryEvent[] = []
  let entries: JournaledKill[] = []
  try {
    entries = readJournal(taken)
    for (const entry of entries) {
      const event = history.events.appendJournaledOnce(entry.id, journaledEvent(entry, journal))
      if (event !== null) appended.push(event)
    }
  } catch (error) {
    // Back where the next Rampart looks; the ids keep what did reach the chain from going in twice.
    const lines = readFileSync(taken, 'utf8')
    writeFileSync(journal, lines, { flag: 'a', mode: 0o600 })
    unlinkSync(taken)
    throw error
  }
  return { appended, journal: taken }
}

/** The event as it goes into the chain: the original, saying that (and when, and why) it was journaled. */
function journaledEvent(entry: JournaledKill, journal: string): NewHistoryEvent {
  const detail = typeof entry.event.detail === 'object' && entry.event.detail !== null ? entry.event.detail : {}
  return {
    ...entry.event,
    detail: { ...detail, journaled: { id: entry.id, at: entry.journaledAt, why: entry.why, journal } }
  }
}

/** A line cut short by a crash is skipped; every complete one counts. */
function readJournal(file: string): JournaledKill[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new RampartError('failed', `Cannot read the kill journal ${file}: ${(error as Error).message}`)
  }
  const entries: JournaledKill[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const entry = JSON.parse(line) as Partial<JournaledKill>
      if (typeof entry.id === 'string' && typeof entry.journaledAt === 'string' && typeof entry.event === 'object')
        entries.push(entry as JournaledKill)
    } catch {
      continue
    }
  }
  return entries
}

function fsyncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some systems cannot fsync a folder; the line itself is on disk.
  }
}
