import { RampartError } from '@shared/errors'
import type { ChainReport, HistoryEvent, HistoryEventKind } from '@shared/history-types'
import { GENESIS_HASH, type ChainHead } from './core/history-chain'
import type { HistoryStore } from './history-store'
import { movedAsideWarning, recordAcknowledged, unacknowledgedMovedAside, type MovedAsideFile } from './moved-aside'

export interface HistoryQuery {
  flag?: string
  environment?: string
  kinds?: HistoryEventKind[]
  afterSeq?: number
  /** The newest `limit` events (still returned oldest first). */
  limit?: number
}

/** A chain head the operator noted earlier (`history verify` prints it), to hold the file against. */
export interface ExpectedHead {
  seq: number | null
  hash: string
}

/** The reviewer's use cases: read, export and verify the local history, with nothing else running. */
export class HistoryService {
  constructor(private readonly history: Pick<HistoryStore, 'path' | 'events'> & { actor: string }) {}

  list(query: HistoryQuery = {}): HistoryEvent[] {
    return this.history.events.listEvents({
      flag: query.flag,
      environment: query.environment,
      kinds: query.kinds,
      sinceSeq: query.afterSeq,
      newest: query.limit
    })
  }

  /** The newest event's seq (0 for an empty history). */
  headSeq(): number {
    return this.history.events.headSeq()
  }

  /** The recorded head of the chain: what `history verify` prints for the operator to keep elsewhere. */
  head(): ChainHead {
    return this.history.events.head()
  }

  /**
   * Whether a head noted earlier is still in the chain. Nothing inside the file can show that its
   * last events were deleted and the head rewritten to match; a head kept outside it can.
   */
  containsHead(expected: ExpectedHead): boolean {
    if (expected.hash.toLowerCase() === GENESIS_HASH) return expected.seq === null || expected.seq === 0
    const event = this.history.events.findByHash(expected.hash)
    return event !== undefined && (expected.seq === null || event.seq === expected.seq)
  }

  show(seq: number): HistoryEvent {
    const event = this.history.events.getEvent(seq)
    if (event === undefined) throw new RampartError('bad_input', `No history event #${seq} in ${this.history.path}`)
    return event
  }

  verify(): ChainReport {
    return this.history.events.verify()
  }

  /** The whole file's storage, checked page by page (it grows with the file: for `history verify`, not every start). */
  storageProblems(): string[] {
    return this.history.events.storageProblems()
  }

  /** History files moved aside as unreadable that the operator has not acknowledged yet. */
  movedAside(): MovedAsideFile[] {
    return unacknowledgedMovedAside(this.history.path)
  }

  /**
   * Records that the operator has dealt with the moved-aside files (all, or the one named): one
   * `history_acknowledged` event each in the current chain, then a line beside the file so that no
   * command names them again.
   */
  acknowledge(request: { file?: string; reason?: string }): Array<{ moved: MovedAsideFile; event: HistoryEvent }> {
    const pending = this.movedAside()
    const chosen = request.file === undefined ? pending : pending.filter((moved) => moved.file === request.file)
    if (request.file !== undefined && chosen.length === 0) {
      const known = pending.map((moved) => moved.file).join(', ') || 'none'
      throw new RampartError(
        'bad_input',
        `${request.file} is not a moved-aside history file waiting to be acknowledged (waiting: ${known})`
      )
    }
    return chosen.map((moved) => {
      const event = this.history.events.appendEvent({
        kind: 'history_acknowledged',
        actor: this.history.actor,
        reason: request.reason?.trim() || null,
        outcome: 'acknowledged',
        detail: { movedAside: moved.file, historyFile: this.history.path, unreadable: moved.reason, movedAt: moved.at }
      })
      recordAcknowledged(this.history.path, {
        file: moved.file,
        at: event.at,
        actor: this.history.actor,
        eventSeq: event.seq
      })
      return { moved, event }
    })
  }

  get path(): string {
    return this.history.path
  }

  /** Read each time: another process (the CLI) may have acknowledged the files since. */
  get warning(): string | null {
    return movedAsideWarning(this.history.path, this.movedAside())
  }
}
