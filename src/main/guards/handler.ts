import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import { SinkPump } from '@main/transport/sink-pump'
import type { AttentionService } from './attention'
import type { GuardSupervisor } from './guard-supervisor'

/**
 * Main's supervision as a page sees it: a snapshot, then every change. The supervisor never waits
 * for a page; what a slow page has not taken yet is queued.
 */
export function supervisionProducer(deps: {
  supervisor: Pick<GuardSupervisor, 'subscribe'>
}): StreamProducers['guards.supervision'] {
  return async (_input, sink) => {
    const pump = new SinkPump(sink)
    const unsubscribe = deps.supervisor.subscribe((notice) => pump.add(notice))
    try {
      await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve(), { once: true }))
    } finally {
      unsubscribe()
    }
  }
}

export function attentionHandlers(deps: {
  attention: Pick<AttentionService, 'delivered'>
}): Pick<Handlers, 'attention.delivered'> {
  return {
    'attention.delivered': async ({ attentionSeq, channel }) => deps.attention.delivered(attentionSeq, channel)
  }
}
