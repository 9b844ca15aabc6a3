import type { StreamProducers } from '@main/transport/contract-dispatch'
import { SinkPump } from '@main/transport/sink-pump'
import type { GuardService } from './guard-service'
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
