import type { StreamSink } from './contract-dispatch'

/**
 * Items in order, pushed in batches whenever the previous push was taken. A producer that must
 * never wait for its subscriber (a guard watch deciding windows) adds items here instead of
 * awaiting `sink.push`.
 */
export class SinkPump<T> {
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
