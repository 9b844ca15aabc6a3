import { createHash } from 'node:crypto'
import type { ChainProblem, ChainReport, HistoryEvent } from '@shared/history-types'

/** The `prevHash` of the first event, and the head hash of an empty history. */
export const GENESIS_HASH = '0'.repeat(64)

/** Every field of an event that its hash covers; `prevHash` is covered by prefixing, `hash` is the result. */
export type HashedEvent = Omit<HistoryEvent, 'prevHash' | 'hash'>

/** The last event the store says it appended, kept apart from the events so a deleted tail shows. */
export interface ChainHead {
  seq: number
  hash: string
}

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace, so the same event always
 * hashes the same no matter in which order its fields were built. Follows JSON.stringify for
 * everything else: toJSON is honoured, undefined properties are dropped, non-finite numbers
 * become null; undefined itself gives undefined.
 */
export function canonicalJson(value: unknown): string | undefined {
  return serialise(value, '', new Set())
}

function serialise(value: unknown, key: string, open: Set<object>): string | undefined {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key)
  }
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null'
    case 'bigint':
      throw new TypeError(`cannot store a bigint (${value}) as JSON in the history; convert it to a string`)
    case 'object':
      break
    default:
      return undefined
  }
  const container = value as object
  if (open.has(container)) throw new TypeError('cannot store a circular structure as JSON in the history')
  open.add(container)
  let text: string
  if (Array.isArray(container)) {
    text = '[' + container.map((item, index) => serialise(item, String(index), open) ?? 'null').join(',') + ']'
  } else {
    const record = container as Record<string, unknown>
    const members: string[] = []
    for (const name of Object.keys(record).sort()) {
      const inner = serialise(record[name], name, open)
      if (inner !== undefined) members.push(JSON.stringify(name) + ':' + inner)
    }
    text = '{' + members.join(',') + '}'
  }
  open.delete(container)
  return text
}

/** sha256 hex over the previous hash followed by the canonical JSON of the event's recorded fields. */
export function eventHash(prevHash: string, event: HashedEvent): string {
  const recorded: HashedEvent = {
    seq: event.seq,
    at: event.at,
    kind: event.kind,
    actor: event.actor,
    flag: event.flag,
    environment: event.environment,
    reason: event.reason,
    fromState: event.fromState,
    toState: event.toState,
    guardSnapshot: event.guardSnapshot,
    outcome: event.outcome,
    detail: event.detail
  }
  return createHash('sha256')
    .update(prevHash + canonicalJson(recorded))
    .digest('hex')
}

/**
 * Walks the events in the order given (the store reads them by seq) and reports every place the
 * chain does not hold. `head` is the separately stored last append; pass `null` when that record
 * is missing, or leave it out to check the events alone.
 */
export function verifyChain(events: readonly HistoryEvent[], head?: ChainHead | null): ChainReport {
  const problems: ChainProblem[] = []
  let expectedSeq = 1
  let expectedPrevHash = GENESIS_HASH
  let last: HistoryEvent | undefined

  for (const event of events) {
    if (last !== undefined && event.seq <= last.seq) {
      problems.push({
        seq: event.seq,
        kind: 'reordered',
        message: `event ${event.seq} comes after event ${last.seq}; events must be in increasing seq order`
      })
      continue
    }
    if (event.seq > expectedSeq) {
      problems.push(missingRange(expectedSeq, event.seq - 1, 'between the events that remain'))
    } else if (event.prevHash !== expectedPrevHash) {
      // Contiguous seqs but a broken link: events were removed and the rest renumbered, or the
      // previous event was rewritten together with its hash.
      problems.push({
        seq: event.seq,
        kind: 'missing',
        message:
          `event ${event.seq} links to prev_hash ${short(event.prevHash)} but the event before it has hash ` +
          `${short(expectedPrevHash)}: an event before ${event.seq} was removed or rewritten`
      })
    }
    if (eventHash(event.prevHash, event) !== event.hash) {
      problems.push({
        seq: event.seq,
        kind: 'edited',
        message:
          `event ${event.seq} (${event.kind} at ${event.at}) does not match its stored hash ${short(event.hash)}: ` +
          'a recorded field was changed after it was written'
      })
    }
    expectedSeq = event.seq + 1
    expectedPrevHash = event.hash
    last = event
  }

  if (head === null) {
    problems.push({
      seq: 0,
      kind: 'missing',
      message: 'the chain head record (table chain_head) is missing, so removed trailing events cannot be ruled out'
    })
  } else if (head !== undefined) {
    const lastSeq = last?.seq ?? 0
    const lastHash = last?.hash ?? GENESIS_HASH
    if (head.seq > lastSeq) {
      problems.push(missingRange(lastSeq + 1, head.seq, 'at the end of the history (the head says ' + head.seq + ')'))
    } else if (head.seq < lastSeq) {
      problems.push({
        seq: head.seq + 1,
        kind: 'edited',
        message:
          `events ${head.seq + 1}–${lastSeq} lie beyond the recorded head (seq ${head.seq}): ` +
          'they were added outside Rampart'
      })
    } else if (head.hash !== lastHash) {
      problems.push({
        seq: lastSeq,
        kind: 'edited',
        message: `the last event ${lastSeq} has hash ${short(lastHash)} but the recorded head says ${short(head.hash)}`
      })
    }
  }

  if (problems.length > 0) return { ok: false, count: events.length, problems }
  return { ok: true, count: events.length, headHash: last?.hash ?? GENESIS_HASH }
}

function missingRange(from: number, to: number, where: string): ChainProblem {
  const which = from === to ? `event ${from} is` : `events ${from}–${to} are`
  return { seq: from, kind: 'missing', message: `${which} missing ${where}` }
}

function short(hash: string): string {
  return hash.slice(0, 12)
}
