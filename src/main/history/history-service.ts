import { RampartError } from '@shared/errors'
import type { ChainReport, HistoryEvent, HistoryEventKind } from '@shared/history-types'
import type { HistoryStore } from './history-store'

export interface HistoryQuery {
  flag?: string
  environment?: string
  kinds?: HistoryEventKind[]
  afterSeq?: number
  /** The newest `limit` events (still returned oldest first). */
  limit?: number
}

/** The reviewer's use cases: read, export and verify the local history, with nothing else running. */
export class HistoryService {
  constructor(private readonly history: Pick<HistoryStore, 'path' | 'warning' | 'events'>) {}

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

  get path(): string {
    return this.history.path
  }

  get warning(): string | null {
    return this.history.warning ?? null
  }
}
