import type { GuardWindowsInput, RolloutWatchInput } from '../../shared/guard-watch-inputs'
import type { GuardWindowRecord } from '../../shared/history-types'
import type { RolloutWatchNotice } from '../../shared/rollout-watch-types'
import type { StreamSink } from '../contract-dispatch'
import type { Services } from '../app-context'

/**
 * The live guard streams ('guards.windows', 'rollout.watch'): the watch runs while the console is
 * subscribed and stops when it goes away. Items are queued and pushed as the subscriber has room,
 * never awaited by the watch itself: a slow page must not delay a window's decision or a trip's
 * automatic action.
 */
export function guardWindowsProducer(services: Services): (input: GuardWindowsInput, sink: StreamSink<GuardWindowRecord>) => Promise<void> {
  return async (input, sink) => {
    const pump = new SinkPump(sink)
    try {
      await services.guards.watch(
        { environment: input.environment, flag: input.flag, ...(input.overrides === undefined ? {} : { overrides: input.overrides }) },
        { onWindow: (_window, record) => pump.add(record) },
        sink.signal
      )
    } finally {
      await pump.drain()
    }
  }
}

export function rolloutWatchProducer(services: Services): (input: RolloutWatchInput, sink: StreamSink<RolloutWatchNotice>) => Promise<void> {
  return async (input, sink) => {
    const pump = new SinkPump(sink)
    try {
      await services.rolloutOrchestrator.watch(input, (notice) => pump.add(notice), sink.signal)
    } finally {
      await pump.drain()
    }
  }
}

/** Items in order, pushed in batches whenever the previous push was taken. */
class SinkPump<T> {
  private queue: T[] = []
  private pushing: Promise<void> | null = null

  constructor(private readonly sink: StreamSink<T>) {}

  add(item: T): void {
    this.queue.push(item)
    // A subscriber gone for good takes nothing more (the watch still reports its stop after the abort).
    if (this.pushing !== null || this.sink.signal.aborted) return
    // Cleared in a callback, never inside pushAll: when pushAll finishes synchronously, a reset made
    // there would be overwritten by this assignment, and drain() would wait on it forever.
    this.pushing = this.pushAll().finally(() => {
      this.pushing = null
    })
  }

  async drain(): Promise<void> {
    while (this.pushing !== null) await this.pushing
  }

  private async pushAll(): Promise<void> {
    while (this.queue.length > 0 && !this.sink.signal.aborted) {
      const batch = this.queue
      this.queue = []
      await this.sink.push(batch)
    }
  }
}
