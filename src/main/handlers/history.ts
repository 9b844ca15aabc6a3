import type { Handlers, StreamProducers } from '../contract-dispatch'
import type { Services } from '../app-context'

const FOLLOW_POLL_MS = 500

export function historyHandlers(services: Services): Pick<Handlers, 'history.list' | 'history.verify'> {
  return {
    'history.list': async ({ flag, environment, limit }) => services.history.list({ flag, environment, limit }),
    'history.verify': async () => services.history.verify()
  }
}

/**
 * New events, including those another process (the CLI) appends to the shared file: the file is
 * the only channel between them, so the stream polls it.
 */
export function historyStreams(services: Services): Pick<StreamProducers, 'history.follow'> {
  return {
    'history.follow': async ({ afterSeq }, sink) => {
      // Without a starting point the stream follows what happens from now on.
      let last = afterSeq ?? services.history.headSeq()
      while (!sink.signal.aborted) {
        const events = services.history.list({ afterSeq: last })
        if (events.length > 0) {
          last = events.at(-1)!.seq
          await sink.push(events)
        }
        await sleep(FOLLOW_POLL_MS, sink.signal)
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
