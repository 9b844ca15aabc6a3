import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import type { ContainerService } from './container-service'
import type { LogService } from './log-service'

/**
 * Follows a container's logs into an acknowledged stream: one batch per chunk from the engine,
 * and no next batch is read from Docker until the subscriber has room (the socket stays paused).
 * The subscriber going away aborts the signal, which closes the engine connection.
 */
export function logsFollowProducer(deps: { logs: LogService }): StreamProducers['logs.follow'] {
  return async (input, sink) => {
    // Across engine restarts: the page is told of the gap and the lines go on.
    const batches = deps.logs.follow({ ...input, timestamps: true, signal: sink.signal })
    for await (const batch of batches) {
      await sink.push(batch)
      if (sink.signal.aborted) return
    }
  }
}

export function containerHandlers(deps: {
  containers: ContainerService
}): Pick<Handlers, 'docker.containers' | 'docker.action'> {
  return {
    'docker.containers': ({ environment }) => deps.containers.list(environment),
    'docker.action': (input) => deps.containers.act(input)
  }
}
