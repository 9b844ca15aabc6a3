import type { RunbookProgress } from '../../shared/runbook-types'
import type { Handlers, StreamProducers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function runbookHandlers(services: Services): Pick<Handlers, 'runbook.list'> {
  return {
    'runbook.list': async ({ status, limit }) => services.store.runbooks.list({ status, limit })
  }
}

export function runbookStreams(services: Services): Pick<StreamProducers, 'runbook.progress'> {
  return {
    'runbook.progress': async (_input, sink) => {
      // The bus does not wait; the channel coalesces bursts into batches and pushes back past its high-water mark.
      const unsubscribe = services.progress.subscribe((item: RunbookProgress) => void sink.push([item]))
      await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve(), { once: true }))
      unsubscribe()
    }
  }
}
