import { EventLog } from './event-log'
import { GuardWindowRecords } from './guard-window-records'
import { HistoryFile, type HistoryFileOptions } from './history-file'
import { OperationRecords } from './operation-records'
import { RolloutRecords } from './rollout-records'
import { RunbookRecords } from './runbook-records'

/**
 * The local history file and its records: rollouts, their append-only hash-chained events, guard
 * windows, runbook runs, database operations and Docker actions, all on one connection. Services
 * take only the records they use (`Pick<HistoryStore, 'events' | 'guardWindows'>`).
 */
export class HistoryStore {
  readonly path: string
  /** Set when the file found at `path` was unreadable and moved here before a fresh one was made. */
  readonly recoveredFrom?: string
  /** A message for the operator about what happened at open, to show once in the UI and CLI. */
  readonly warning?: string
  readonly events: EventLog
  readonly rollouts: RolloutRecords
  readonly guardWindows: GuardWindowRecords
  readonly runbooks: RunbookRecords
  readonly operations: OperationRecords

  private constructor(private readonly file: HistoryFile) {
    this.path = file.path
    if (file.recoveredFrom !== undefined) this.recoveredFrom = file.recoveredFrom
    if (file.warning !== undefined) this.warning = file.warning
    this.events = new EventLog(file)
    this.rollouts = new RolloutRecords(file, this.events)
    this.guardWindows = new GuardWindowRecords(file)
    this.runbooks = new RunbookRecords(file.db, file.now)
    this.operations = new OperationRecords(file, this.events)
  }

  /**
   * Opens (creating when absent) the history file and brings its schema up to date. Refuses a
   * file written by a newer Rampart; moves an unreadable file aside and starts a fresh one.
   */
  static open(filePath: string, options: HistoryFileOptions = {}): HistoryStore {
    return new HistoryStore(HistoryFile.open(filePath, options))
  }

  /**
   * Runs `work` (several records written together) in one IMMEDIATE transaction: all of it is in
   * the file, or none of it.
   */
  atomically<T>(work: () => T): T {
    return this.file.write('write to', () => this.file.db.transaction(work).immediate())
  }

  close(): void {
    this.file.close()
  }
}
