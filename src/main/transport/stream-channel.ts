/**
 * Carries one subscription's items to a consumer in acknowledged batches.
 *
 * At most `windowBatches` batches are in flight; everything pushed meanwhile is coalesced into
 * the next batch. `push` resolves only while the buffer is below `highWaterItems`, so a fast
 * producer (a log stream) is paused instead of growing memory without bound.
 */
export interface StreamChannelOptions {
  maxBatchItems?: number
  windowBatches?: number
  highWaterItems?: number
}

export class StreamChannel<T> {
  private readonly buffer: T[] = []
  private inFlight = 0
  private closed = false
  private waiters: Array<() => void> = []
  private flushedWaiters: Array<() => void> = []
  private readonly maxBatchItems: number
  private readonly windowBatches: number
  private readonly highWaterItems: number

  constructor(
    private readonly sendBatch: (items: T[]) => void,
    options: StreamChannelOptions = {}
  ) {
    this.maxBatchItems = positiveInteger('maxBatchItems', options.maxBatchItems ?? 500)
    this.windowBatches = positiveInteger('windowBatches', options.windowBatches ?? 2)
    this.highWaterItems = positiveInteger('highWaterItems', options.highWaterItems ?? 5_000)
  }

  get isClosed(): boolean {
    return this.closed
  }

  get bufferedItems(): number {
    return this.buffer.length
  }

  get batchesInFlight(): number {
    return this.inFlight
  }

  /** Queues items; resolves when the consumer has room for more (or the channel closed). */
  push(items: readonly T[]): Promise<void> {
    if (this.closed) return Promise.resolve()
    for (const item of items) this.buffer.push(item)
    this.flush()
    if (this.buffer.length < this.highWaterItems) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** The consumer finished one batch. */
  ack(): void {
    if (this.inFlight > 0) this.inFlight -= 1
    this.flush()
  }

  /** Resolves once everything pushed so far has been handed to the transport (or the channel closed). */
  whenFlushed(): Promise<void> {
    if (this.closed || this.buffer.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.flushedWaiters.push(resolve))
  }

  close(): void {
    this.closed = true
    this.buffer.length = 0
    this.releaseWaiters()
    this.releaseFlushed()
  }

  private flush(): void {
    while (!this.closed && this.inFlight < this.windowBatches && this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.maxBatchItems)
      this.inFlight += 1
      this.sendBatch(batch)
    }
    if (this.buffer.length < this.highWaterItems) this.releaseWaiters()
    if (this.buffer.length === 0) this.releaseFlushed()
  }

  private releaseFlushed(): void {
    const waiters = this.flushedWaiters
    this.flushedWaiters = []
    for (const resolve of waiters) resolve()
  }

  private releaseWaiters(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}

// A zero window or batch size would send empty batches or none at all, and whenFlushed would never resolve.
function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`StreamChannel option ${name} must be a whole number of at least 1, not ${String(value)}`)
  }
  return value
}
