import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import { pollUntilAborted } from '@main/transport/poll'
import type { HistoryService } from './history-service'

const FOLLOW_POLL_MS = 500

export function historyHandlers(deps: { history: HistoryService }): Pick<Handlers, 'history.list' | 'history.verify'> {
  return {
    'history.list': async ({ flag, environment, limit }) => deps.history.list({ flag, environment, limit }),
    'history.verify': async () => deps.history.verify()
  }
}

/**
 * New events, including those another process (the CLI) appends to the shared file: the file is
 * the only channel between them, so the stream polls it.
 */
export function historyStreams(deps: { history: HistoryService }): Pick<StreamProducers, 'history.follow'> {
  return {
    'history.follow': async ({ afterSeq }, sink) => {
      // Without a starting point the stream follows what happens from now on.
      let last = afterSeq ?? deps.history.headSeq()
      await pollUntilAborted(FOLLOW_POLL_MS, sink.signal, async () => {
        const events = deps.history.list({ afterSeq: last })
        if (events.length === 0) return
        last = events.at(-1)!.seq
        await sink.push(events)
      })
    }
  }
}
