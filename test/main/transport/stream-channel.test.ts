import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StreamChannel, type StreamChannelOptions } from '@main/transport/stream-channel'

/** A consumer that records every batch and acknowledges only when the test says so. */
function recordingChannel(options: StreamChannelOptions = {}): { channel: StreamChannel<number>; batches: number[][] } {
  const batches: number[][] = []
  const channel = new StreamChannel<number>((items) => batches.push(items), options)
  return { channel, batches }
}

/** Whether a promise has settled once every queued microtask and the current macrotask have run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  void promise.then(
    () => (settled = true),
    () => (settled = true)
  )
  await new Promise((resolve) => setImmediate(resolve))
  return settled
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i)

describe('StreamChannel batches', () => {
  it('hands pushed items to the transport at once while the window has room', () => {
    const { channel, batches } = recordingChannel()
    void channel.push([1, 2, 3])
    expect(batches).toEqual([[1, 2, 3]])
    expect(channel.batchesInFlight).toBe(1)
    expect(channel.bufferedItems).toBe(0)
  })

  it('never has more than windowBatches batches unacknowledged', () => {
    const { channel, batches } = recordingChannel({ windowBatches: 2 })
    for (let i = 0; i < 10; i++) void channel.push([i])
    expect(batches).toEqual([[0], [1]])
    expect(channel.batchesInFlight).toBe(2)
    expect(channel.bufferedItems).toBe(8)
  })

  it('coalesces everything pushed while the window is full into the next batch', () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1 })
    void channel.push([1])
    void channel.push([2])
    void channel.push([3, 4])
    void channel.push([5])
    expect(batches).toEqual([[1]])
    channel.ack()
    expect(batches).toEqual([[1], [2, 3, 4, 5]])
  })

  it('sends the next batch only after an ack', () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1 })
    void channel.push([1])
    void channel.push([2])
    expect(batches).toHaveLength(1)
    channel.ack()
    expect(batches).toHaveLength(2)
    channel.ack()
    void channel.push([3])
    expect(batches).toEqual([[1], [2], [3]])
  })

  it('splits a large push into batches of at most maxBatchItems, in order', () => {
    const { channel, batches } = recordingChannel({ maxBatchItems: 4, windowBatches: 10 })
    void channel.push(range(0, 10))
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9]
    ])
  })

  it('does not widen the window when acked more often than it sent', () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1 })
    channel.ack()
    channel.ack()
    for (let i = 0; i < 3; i++) void channel.push([i])
    expect(batches).toEqual([[0]])
    expect(channel.batchesInFlight).toBe(1)
  })

  it('keeps order when the transport acknowledges from inside sendBatch', () => {
    const batches: number[][] = []
    const channel: StreamChannel<number> = new StreamChannel<number>(
      (items) => {
        batches.push(items)
        channel.ack()
      },
      { maxBatchItems: 3, windowBatches: 1 }
    )
    void channel.push(range(0, 10))
    expect(batches.flat()).toEqual(range(0, 10))
    expect(batches.every((batch) => batch.length <= 3)).toBe(true)
  })

  it('refuses options that could never deliver anything, naming the option', () => {
    expect(() => new StreamChannel(() => undefined, { maxBatchItems: 0 })).toThrow(/maxBatchItems/)
    expect(() => new StreamChannel(() => undefined, { windowBatches: 0 })).toThrow(/windowBatches/)
    expect(() => new StreamChannel(() => undefined, { highWaterItems: 0 })).toThrow(/highWaterItems/)
    expect(() => new StreamChannel(() => undefined, { windowBatches: 1.5 })).toThrow(/windowBatches/)
  })
})

describe('StreamChannel backpressure', () => {
  it('resolves push at once while the buffer stays below the high-water mark', async () => {
    const { channel } = recordingChannel({ windowBatches: 1, highWaterItems: 5 })
    void channel.push([0])
    expect(await isSettled(channel.push([1, 2, 3, 4]))).toBe(true)
  })

  it('holds push at the high-water mark until acks drain the buffer below it', async () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1, maxBatchItems: 2, highWaterItems: 4 })
    void channel.push([0])
    const held = channel.push([1, 2, 3, 4])
    expect(channel.bufferedItems).toBe(4)
    expect(await isSettled(held)).toBe(false)
    channel.ack()
    expect(batches).toEqual([[0], [1, 2]])
    expect(await isSettled(held)).toBe(true)
  })

  it('holds every producer waiting at the high-water mark and releases them together', async () => {
    const { channel } = recordingChannel({ windowBatches: 1, maxBatchItems: 10, highWaterItems: 2 })
    void channel.push([0])
    const first = channel.push([1, 2])
    const second = channel.push([3])
    expect(await isSettled(first)).toBe(false)
    expect(await isSettled(second)).toBe(false)
    channel.ack()
    expect(await isSettled(first)).toBe(true)
    expect(await isSettled(second)).toBe(true)
  })

  it('lets a producer that waits on every push get everything through with a consumer that acks', async () => {
    const received: number[] = []
    const channel: StreamChannel<number> = new StreamChannel<number>(
      (items) => {
        received.push(...items)
        setImmediate(() => channel.ack())
      },
      { windowBatches: 2, maxBatchItems: 7, highWaterItems: 20 }
    )
    let maxBuffered = 0
    for (let i = 0; i < 50; i++) {
      await channel.push(range(i * 10, 10))
      maxBuffered = Math.max(maxBuffered, channel.bufferedItems)
    }
    await channel.whenFlushed()
    expect(received).toEqual(range(0, 500))
    expect(maxBuffered).toBeLessThan(20)
  })
})

describe('StreamChannel whenFlushed', () => {
  it('resolves at once when nothing is buffered', async () => {
    const { channel } = recordingChannel()
    expect(await isSettled(channel.whenFlushed())).toBe(true)
  })

  it('waits until every buffered item has been handed to the transport', async () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1 })
    void channel.push([1])
    void channel.push([2, 3])
    const flushed = channel.whenFlushed()
    expect(await isSettled(flushed)).toBe(false)
    channel.ack()
    expect(batches).toEqual([[1], [2, 3]])
    expect(await isSettled(flushed)).toBe(true)
  })

  it('resolves when the channel is closed with items still buffered', async () => {
    const { channel } = recordingChannel({ windowBatches: 1 })
    void channel.push([1])
    void channel.push([2])
    const flushed = channel.whenFlushed()
    channel.close()
    expect(await isSettled(flushed)).toBe(true)
  })
})

describe('StreamChannel close', () => {
  it('drops what is buffered and sends nothing more, even after acks', () => {
    const { channel, batches } = recordingChannel({ windowBatches: 1 })
    void channel.push([1])
    void channel.push([2])
    channel.close()
    channel.ack()
    void channel.push([3])
    expect(batches).toEqual([[1]])
    expect(channel.isClosed).toBe(true)
    expect(channel.bufferedItems).toBe(0)
  })

  it('releases producers waiting at the high-water mark', async () => {
    const { channel } = recordingChannel({ windowBatches: 1, highWaterItems: 1 })
    void channel.push([1])
    const held = channel.push([2, 3])
    expect(await isSettled(held)).toBe(false)
    channel.close()
    expect(await isSettled(held)).toBe(true)
  })

  it('resolves pushes made after close at once, so a producer is never stuck', async () => {
    const { channel } = recordingChannel({ highWaterItems: 1 })
    channel.close()
    expect(await isSettled(channel.push([1, 2, 3]))).toBe(true)
  })
})

describe('StreamChannel under any interleaving of pushes and acks', () => {
  type Step = { kind: 'push'; count: number } | { kind: 'ack' }
  const step = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), count: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('ack' as const) })
  )

  it('delivers every item exactly once and in order, within the window and batch size', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        (steps: Step[], maxBatchItems, windowBatches) => {
          const batches: number[][] = []
          let outstanding = 0
          let maxOutstanding = 0
          const channel = new StreamChannel<number>(
            (items) => {
              batches.push(items)
              outstanding += 1
              maxOutstanding = Math.max(maxOutstanding, outstanding)
            },
            { maxBatchItems, windowBatches, highWaterItems: 1000 }
          )
          const ack = (): void => {
            if (outstanding > 0) outstanding -= 1
            channel.ack()
          }
          let next = 0
          for (const s of steps) {
            if (s.kind === 'ack') ack()
            else {
              void channel.push(range(next, s.count))
              next += s.count
            }
          }
          while (channel.bufferedItems > 0 || outstanding > 0) ack()
          expect(batches.flat()).toEqual(range(0, next))
          expect(batches.every((batch) => batch.length >= 1 && batch.length <= maxBatchItems)).toBe(true)
          expect(maxOutstanding).toBeLessThanOrEqual(windowBatches)
        }
      ),
      { numRuns: 500 }
    )
  })
})
