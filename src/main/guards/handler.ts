import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import { SinkPump } from '@main/transport/sink-pump'
import type { AttentionService } from './attention'
import type { GuardService } from './guard-service'
import type { GuardSupervisor } from './guard-supervisor'
import type { RolloutOrchestrator } from './rollout-orchestrator'

/**
 * The live guard streams ('guards.windows', 'rollout.watch'): the watch runs while the console is
 * subscribed and stops when it goes away. Items are queued and pushed as the subscriber has room,
 * never awaited by the watch itself: a slow page must not delay a window's decision or a trip's
 * automatic action.
 */
export function guardWindowsProducer(deps: { guards: GuardService }): StreamProducers['guards.windows'] {
  return async (input, sink) => {
    const pump = new SinkPump(sink)
    try {
      await deps.guards.watch(
        { environment: input.environment, flag: input.flag },
        { onWindow: (_window, record) => pump.add(record) },
        sink.signal
      )
    } finally {
      await pump.drain()
    }
  }
}

export function rolloutWatchProducer(deps: {
  rolloutOrchestrator: Pick<RolloutOrchestrator, 'watch'>
}): StreamProducers['rollout.watch'] {
  return async (input, sink) => {
    const pump = new SinkPump(sink)
    try {
      await deps.rolloutOrchestrator.watch(input, (notice) => pump.add(notice), sink.signal)
    } finally {
      await pump.drain()
    }
  }
}

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
