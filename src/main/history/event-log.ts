import type Database from 'better-sqlite3'
import { RampartError } from '@shared/errors'
import {
  HISTORY_EVENT_KINDS,
  type ChainReport,
  type HistoryEvent,
  type HistoryEventKind,
  type JsonValue,
  type NewHistoryEvent
} from '@shared/history-types'
import { canonicalJson, eventHash, GENESIS_HASH, verifyChain, type ChainHead } from './core/history-chain'
import { messageOf, quickCheck, type HistoryFile } from './history-file'
import { parseJson, positiveCount } from './history-values'

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

type EventFields = Omit<HistoryEvent, 'seq' | 'at' | 'prevHash' | 'hash'>

const EVENT_COLUMNS =
  'seq, at, kind, actor, flag, environment, reason, from_state, to_state, guard_snapshot, outcome, detail, ' +
  'prev_hash, hash'

/**
 * The append-only, hash-chained events of the history file: every recorded action, in seq order,
 * each linked to the one before, so an edit or a deletion shows at verify.
 */
export class EventLog {
  private readonly appendInTransaction: Database.Transaction<(fields: EventFields) => HistoryEvent>
  private readonly appendOnceInTransaction: Database.Transaction<
    (journalId: string, fields: EventFields) => HistoryEvent | null
  >

  constructor(private readonly file: HistoryFile) {
    const db = file.db
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
          `The history file ${this.file.path} has no chain head record (table chain_head); it was tampered with. ` +
            'Run `rampart history verify` and keep the file for inspection.'
        )
      }
      const unhashed = { seq: head.seq + 1, at: this.file.now().toISOString(), ...fields }
      const event: HistoryEvent = { ...unhashed, prevHash: head.hash, hash: eventHash(head.hash, unhashed) }
      insertEvent.run(toEventRow(event))
      updateHead.run(event.seq, event.hash)
      return event
    })
    const journaled = db.prepare<[string], { seq: number }>(
      "SELECT seq FROM events WHERE json_extract(detail, '$.journaled.id') = ?"
    )
    // The check and the append in one IMMEDIATE transaction: two processes replaying the same journal append it once.
    this.appendOnceInTransaction = db.transaction((journalId: string, fields: EventFields) =>
      journaled.get(journalId) === undefined ? this.appendInTransaction(fields) : null
    )
  }

  /**
   * Appends one event in one IMMEDIATE transaction (read head, hash, insert, move head), so two
   * processes appending at once serialise instead of forking the chain. Callers pass redacted
   * data only: the file is append-only, so a secret written here can never be taken out again.
   */
  appendEvent(input: NewHistoryEvent): HistoryEvent {
    const fields = checkedFields(input)
    return this.file.write('append an event to', () => this.appendInTransaction.immediate(fields))
  }

  /**
   * Appends an event that was journaled beside the file while it could not be written, unless an
   * event with the same `detail.journaled.id` is already in the chain; null when it was.
   */
  appendJournaledOnce(journalId: string, input: NewHistoryEvent): HistoryEvent | null {
    const fields = checkedFields(input)
    return this.file.write('append a journaled event to', () =>
      this.appendOnceInTransaction.immediate(journalId, fields)
    )
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
    return this.file.db
      .prepare<unknown[], EventRow>(sql)
      .all(...params)
      .map(fromEventRow)
  }

  /** The seq of the newest event, 0 when there is none. */
  headSeq(): number {
    return this.file.db.prepare<[], { seq: number }>('SELECT seq FROM chain_head WHERE id = 1').get()?.seq ?? 0
  }

  /** The recorded chain head: the last appended event's seq and hash (0 and the genesis hash when empty). */
  head(): ChainHead {
    return (
      this.file.db.prepare<[], ChainHead>('SELECT seq, hash FROM chain_head WHERE id = 1').get() ?? {
        seq: 0,
        hash: GENESIS_HASH
      }
    )
  }

  /** The event stored with this hash (the hash covers the seq, so at most one), if any. */
  findByHash(hash: string): HistoryEvent | undefined {
    const row = this.file.db
      .prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE hash = ?`)
      .get(hash.toLowerCase())
    return row === undefined ? undefined : fromEventRow(row)
  }

  getEvent(seq: number): HistoryEvent | undefined {
    const row = this.file.db.prepare<[number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = ?`).get(seq)
    return row === undefined ? undefined : fromEventRow(row)
  }

  /** SQLite's `quick_check` over the whole file, guard windows included: the problems it names, none when sound. */
  storageProblems(): string[] {
    return quickCheck(this.file.db)
  }

  /** Checks every event's hash and link and the recorded head, in one read transaction. */
  verify(): ChainReport {
    const read = this.file.db.transaction(() => {
      const events = this.file.db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq`).all()
      const head = this.file.db.prepare<[], ChainHead>('SELECT seq, hash FROM chain_head WHERE id = 1').get()
      return { events: events.map(fromEventRow), head: head ?? null }
    })
    const { events, head } = read.deferred()
    return verifyChain(events, head)
  }
}

/** The event's recorded fields, checked: a known kind, an actor, JSON that reads back as it was written. */
function checkedFields(input: NewHistoryEvent): EventFields {
  if (!(HISTORY_EVENT_KINDS as readonly string[]).includes(input.kind)) {
    throw new RampartError(
      'bad_input',
      `History event kind "${String(input.kind)}" is not one of ${HISTORY_EVENT_KINDS.join(', ')}`
    )
  }
  if (typeof input.actor !== 'string' || input.actor.trim() === '') {
    throw new RampartError(
      'bad_input',
      `History event "${input.kind}" has no actor; every recorded action names who did it`
    )
  }
  return {
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
}

/** The value as it will read back from the file, so the hash at append equals the hash at verify. */
function jsonField(input: NewHistoryEvent, field: 'fromState' | 'toState' | 'guardSnapshot' | 'detail'): JsonValue {
  let text: string | undefined
  try {
    text = canonicalJson(input[field])
  } catch (error) {
    throw new RampartError(
      'bad_input',
      `History event "${input.kind}" field ${field} cannot be stored as JSON: ${messageOf(error)}`
    )
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
