import type { RunbookProgress } from '@shared/runbook-types'
import type { RunbookRecords } from '@main/history/runbook-records'
import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import type { EmergencyRollback } from './emergency-rollback'
import type { FullRollback } from './full-rollback'
import type { ProgressBus } from './progress-bus'
import type { RunbookRunner } from './runbook-runner'

export interface RunbookHandlerDeps {
  runbooks: Pick<RunbookRunner, 'listInterrupted' | 'resume' | 'cancel'>
  runbookRecords: Pick<RunbookRecords, 'list'>
  emergencyRollback: Pick<EmergencyRollback, 'run'>
  fullRollback: Pick<FullRollback, 'run'>
}

export function runbookHandlers(
  deps: RunbookHandlerDeps
): Pick<
  Handlers,
  'runbook.list' | 'runbook.resume' | 'runbook.cancel' | 'runbook.fullRollback' | 'rollback.emergency'
> {
  return {
    'runbook.list': async ({ status, limit, interrupted }) =>
      interrupted === true ? deps.runbooks.listInterrupted() : deps.runbookRecords.list({ status, limit }),
    'runbook.resume': ({ runId }) => deps.runbooks.resume(runId),
    'runbook.cancel': async ({ runId, reason }) => deps.runbooks.cancel(runId, { reason }),
    'runbook.fullRollback': (input) => deps.fullRollback.run(input),
    'rollback.emergency': (input) => deps.emergencyRollback.run(input)
  }
}

export function runbookStreams(deps: { progress: ProgressBus }): Pick<StreamProducers, 'runbook.progress'> {
  return {
    'runbook.progress': async (_input, sink) => {
      // The bus does not wait; the channel coalesces bursts into batches and pushes back past its high-water mark.
      const unsubscribe = deps.progress.subscribe((item: RunbookProgress) => void sink.push([item]))
      await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve(), { once: true }))
      unsubscribe()
    }
  }
}
