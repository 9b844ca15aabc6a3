import type { RunbookProgress } from '../../shared/runbook-types'
import type { Handlers, StreamProducers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function runbookHandlers(
  services: Services
): Pick<Handlers, 'runbook.list' | 'runbook.resume' | 'runbook.cancel' | 'runbook.fullRollback' | 'rollback.emergency'> {
  return {
    'runbook.list': async ({ status, limit, interrupted }) =>
      interrupted === true ? services.runbooks.listInterrupted() : services.store.runbooks.list({ status, limit }),
    'runbook.resume': ({ runId }) => services.runbooks.resume(runId),
    'runbook.cancel': async ({ runId, reason }) => services.runbooks.cancel(runId, { reason }),
    'runbook.fullRollback': (input) => services.fullRollback.run(input),
    'rollback.emergency': (input) => services.emergencyRollback.run(input)
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
