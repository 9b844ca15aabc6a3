import type { LogLine } from '../../shared/log-line'
import type { StreamSink } from '../contract-dispatch'
import type { Services } from '../app-context'

/** The `logs.follow` stream's input, as its contract schema validates it. */
export interface LogsFollowInput {
  environment?: string
  container: string
  tail?: number
  since?: string
  grep?: string
  eventType?: string
}

/**
 * Follows a container's logs into an acknowledged stream: one batch per chunk from the engine,
 * and no next batch is read from Docker until the subscriber has room (the socket stays paused).
 * The subscriber going away aborts the signal, which closes the engine connection.
 */
export function logsFollowProducer(services: Services): (input: LogsFollowInput, sink: StreamSink<LogLine>) => Promise<void> {
  return async (input, sink) => {
    const batches = services.logs.read({ ...input, follow: true, timestamps: true, signal: sink.signal })
    for await (const batch of batches) {
      await sink.push(batch)
      if (sink.signal.aborted) return
    }
  }
}
