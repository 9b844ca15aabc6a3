import { describe, expect, it } from 'vitest'
import {
  dispatchInvoke,
  openSubscription,
  type CallContext,
  type Handlers,
  type StreamProducers,
  type StreamSink,
  type SubscriptionTransport
} from '@main/transport/contract-dispatch'
import type { OperationName, StreamName } from '@shared/contract/contract'
import { RampartError, type ContractError } from '@shared/errors'

const CONTEXT: CallContext = { transport: 'test' }

type AnyHandler = (input: unknown, context: CallContext) => Promise<unknown>
type AnyProducer = (input: unknown, sink: StreamSink<unknown>) => Promise<void>

/** A full table whose every operation fails loudly unless the test supplies it. */
function handlersWith(supplied: Partial<Record<OperationName, AnyHandler>>): Handlers {
  const table: Record<string, AnyHandler> = {}
  for (const name of [
    'workspace.describe',
    'flags.list',
    'flags.get',
    'flags.evaluate',
    'rollout.status',
    'rollout.move',
    'history.list',
    'history.verify'
  ] satisfies OperationName[]) {
    table[name] = async () => {
      throw new Error(`handler ${name} was called but this test did not expect it`)
    }
  }
  return { ...table, ...supplied } as unknown as Handlers
}

function producersWith(supplied: Partial<Record<StreamName, AnyProducer>>): StreamProducers {
  return supplied as unknown as StreamProducers
}

/** A transport that records what crosses it, in order. */
function recordingTransport(): SubscriptionTransport & {
  log: Array<{ batch: unknown[] } | { end: ContractError | null }>
  ended: Promise<ContractError | null>
} {
  const log: Array<{ batch: unknown[] } | { end: ContractError | null }> = []
  let resolveEnded!: (error: ContractError | null) => void
  const ended = new Promise<ContractError | null>((resolve) => (resolveEnded = resolve))
  return {
    log,
    ended,
    sendBatch: (items) => log.push({ batch: items }),
    sendEnd: (error) => {
      log.push({ end: error })
      resolveEnded(error)
    }
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A promise the test resolves by hand, to hold a producer at a chosen point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

describe('dispatchInvoke', () => {
  it('runs the handler with the validated input and the call context', async () => {
    const calls: unknown[] = []
    const handlers = handlersWith({
      'flags.get': async (input, context) => {
        calls.push({ input, context })
        return { flag: 'unified_llm_hub' }
      }
    })
    const result = await dispatchInvoke(
      handlers,
      'flags.get',
      { flag: 'unified_llm_hub', environment: 'local' },
      CONTEXT
    )
    expect(result).toEqual({ ok: true, value: { flag: 'unified_llm_hub' } })
    expect(calls).toEqual([{ input: { flag: 'unified_llm_hub', environment: 'local' }, context: CONTEXT }])
  })

  it('treats a missing input as an empty object for operations that take none', async () => {
    const handlers = handlersWith({ 'history.verify': async () => ({ ok: true, count: 0, headHash: '0' }) })
    expect(await dispatchInvoke(handlers, 'history.verify', undefined, CONTEXT)).toEqual({
      ok: true,
      value: { ok: true, count: 0, headHash: '0' }
    })
  })

  it.each([['flags.delete'], ['__proto__'], ['toString'], [42], [null]])(
    'refuses the unknown operation %j as bad_input naming it',
    async (name) => {
      const result = await dispatchInvoke(handlersWith({}), name, {}, CONTEXT)
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.code).toBe('bad_input')
      expect(result.error.message).toContain(`Unknown operation ${JSON.stringify(name)}`)
    }
  )

  it('refuses malformed input as bad_input naming the field, without calling the handler', async () => {
    let called = false
    const handlers = handlersWith({
      'flags.get': async () => {
        called = true
        return {}
      }
    })
    const result = await dispatchInvoke(handlers, 'flags.get', { flag: 'no spaces allowed' }, CONTEXT)
    expect(called).toBe(false)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('bad_input')
    expect(result.error.message).toMatch(/^Invalid input for flags\.get: flag: a flag name is letters/)
  })

  it('names a nested field by its path', async () => {
    const result = await dispatchInvoke(
      handlersWith({}),
      'rollout.move',
      {
        flag: 'unified_llm_hub',
        move: 'advance',
        reason: 'guards green',
        expected: { enabled: true, rollout_percentage: 250 }
      },
      CONTEXT
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('bad_input')
    expect(result.error.message).toContain('expected.rollout_percentage:')
  })

  it('refuses a missing required field, naming it', async () => {
    const result = await dispatchInvoke(handlersWith({}), 'rollout.status', {}, CONTEXT)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('bad_input')
    expect(result.error.message).toContain('flag:')
  })

  it('refuses a move that is not one of the four (there is no "set percentage")', async () => {
    const result = await dispatchInvoke(
      handlersWith({}),
      'rollout.move',
      { flag: 'unified_llm_hub', move: 'set', reason: 'skip ahead' },
      CONTEXT
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('bad_input')
    expect(result.error.message).toContain('move:')
  })

  it('refuses an unknown key, naming it', async () => {
    const result = await dispatchInvoke(handlersWith({}), 'flags.list', { enviroment: 'prod' }, CONTEXT)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('bad_input')
    expect(result.error.message).toContain('enviroment')
  })

  it('passes a RampartError through as its code, message and detail, without a stack', async () => {
    const handlers = handlersWith({
      'rollout.move': async () => {
        throw new RampartError('refused', 'cannot advance unified_llm_hub: guards are hold, not pass', {
          unmet: ['guards are hold, not pass']
        })
      }
    })
    const result = await dispatchInvoke(
      handlers,
      'rollout.move',
      { flag: 'unified_llm_hub', move: 'advance', reason: 'r' },
      CONTEXT
    )
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'refused',
        message: 'cannot advance unified_llm_hub: guards are hold, not pass',
        detail: { unmet: ['guards are hold, not pass'] }
      }
    })
    expect(JSON.stringify(result)).not.toContain('    at ')
  })

  it('turns any other thrown Error into "failed" with its message and no stack', async () => {
    const handlers = handlersWith({
      'flags.list': async () => {
        throw new TypeError('Cannot read properties of undefined (reading "state")')
      }
    })
    const result = await dispatchInvoke(handlers, 'flags.list', {}, CONTEXT)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('failed')
    expect(result.error.message).toBe('Cannot read properties of undefined (reading "state")')
    expect(Object.keys(result.error)).not.toContain('stack')
    expect(JSON.stringify(result)).not.toContain('    at ')
  })

  it('turns a thrown non-Error into "failed" in words', async () => {
    const handlers = handlersWith({
      'flags.list': async () => {
        throw 'socket hang up'
      }
    })
    const result = await dispatchInvoke(handlers, 'flags.list', {}, CONTEXT)
    expect(result).toEqual({ ok: false, error: { code: 'failed', message: 'socket hang up' } })
  })

  it('catches a handler that throws synchronously instead of rejecting', async () => {
    const handlers = handlersWith({
      'flags.list': (() => {
        throw new RampartError('unreachable', 'Docker at unix:///var/run/docker.sock is not answering')
      }) as unknown as AnyHandler
    })
    const result = await dispatchInvoke(handlers, 'flags.list', {}, CONTEXT)
    expect(result).toEqual({
      ok: false,
      error: { code: 'unreachable', message: 'Docker at unix:///var/run/docker.sock is not answering' }
    })
  })
})

describe('openSubscription', () => {
  it('ends an unknown stream at once with bad_input naming it, and starts nothing', () => {
    const transport = recordingTransport()
    let started = false
    const producers = producersWith({
      'history.follow': async () => {
        started = true
      }
    })
    openSubscription(producers, 'logs.everything', {}, transport)
    expect(started).toBe(false)
    expect(transport.log).toHaveLength(1)
    const end = (transport.log[0] as { end: ContractError }).end
    expect(end.code).toBe('bad_input')
    expect(end.message).toContain('"logs.everything"')
  })

  it('ends a stream with malformed input at once with bad_input naming the field', () => {
    const transport = recordingTransport()
    let started = false
    const producers = producersWith({
      'history.follow': async () => {
        started = true
      }
    })
    openSubscription(producers, 'history.follow', { afterSeq: -1 }, transport)
    expect(started).toBe(false)
    const end = (transport.log[0] as { end: ContractError }).end
    expect(end.code).toBe('bad_input')
    expect(end.message).toContain('afterSeq:')
  })

  it('gives the producer the validated input', async () => {
    const transport = recordingTransport()
    const inputs: unknown[] = []
    const producers = producersWith({
      'history.follow': async (input) => {
        inputs.push(input)
      }
    })
    openSubscription(producers, 'history.follow', { afterSeq: 7 }, transport)
    await transport.ended
    expect(inputs).toEqual([{ afterSeq: 7 }])
  })

  it('sends the next batch only after the previous one was acknowledged, coalescing what came meanwhile', async () => {
    const transport = recordingTransport()
    const done = gate()
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        await sink.push([1])
        await sink.push([2])
        await sink.push([3])
        await done.promise
      }
    })
    const subscription = openSubscription(producers, 'history.follow', {}, transport, { windowBatches: 1 })
    await settle()
    expect(transport.log).toEqual([{ batch: [1] }])
    subscription.ack()
    expect(transport.log).toEqual([{ batch: [1] }, { batch: [2, 3] }])
    done.open()
    await transport.ended
  })

  it('ends only after everything pushed has been handed over, then reports success', async () => {
    const transport = recordingTransport()
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        void sink.push([1])
        void sink.push([2])
        void sink.push([3])
      }
    })
    const subscription = openSubscription(producers, 'history.follow', {}, transport, {
      windowBatches: 1,
      maxBatchItems: 1
    })
    await settle()
    expect(transport.log).toEqual([{ batch: [1] }])
    subscription.ack()
    await settle()
    expect(transport.log).toEqual([{ batch: [1] }, { batch: [2] }])
    subscription.ack()
    expect(await transport.ended).toBeNull()
    expect(transport.log).toEqual([{ batch: [1] }, { batch: [2] }, { batch: [3] }, { end: null }])
  })

  it('ends with the RampartError a producer fails with, as { code, message } without a stack', async () => {
    const transport = recordingTransport()
    const producers = producersWith({
      'history.follow': async () => {
        throw new RampartError('unreachable', 'container ops-center-direct is gone')
      }
    })
    openSubscription(producers, 'history.follow', {}, transport)
    expect(await transport.ended).toEqual({ code: 'unreachable', message: 'container ops-center-direct is gone' })
  })

  it('ends with "failed" when a producer throws a plain Error, even before its first await', async () => {
    const transport = recordingTransport()
    const producers = producersWith({
      'history.follow': (() => {
        throw new Error('database is locked')
      }) as unknown as AnyProducer
    })
    openSubscription(producers, 'history.follow', {}, transport)
    const end = await transport.ended
    expect(end).toEqual({ code: 'failed', message: 'database is locked' })
    expect(JSON.stringify(end)).not.toContain('    at ')
  })

  it('delivers what a failing producer pushed before it failed, then the error', async () => {
    const transport = recordingTransport()
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        void sink.push(['line 1'])
        void sink.push(['line 2'])
        throw new RampartError('unreachable', 'log stream of ops-center-direct closed')
      }
    })
    const subscription = openSubscription(producers, 'history.follow', {}, transport, { windowBatches: 1 })
    await settle()
    expect(transport.log).toEqual([{ batch: ['line 1'] }])
    subscription.ack()
    await transport.ended
    expect(transport.log).toEqual([
      { batch: ['line 1'] },
      { batch: ['line 2'] },
      { end: { code: 'unreachable', message: 'log stream of ops-center-direct closed' } }
    ])
  })

  it("aborts the producer's signal on close, sends no end, and drops what is pushed afterwards", async () => {
    const transport = recordingTransport()
    const started = gate()
    let signal: AbortSignal | undefined
    let finished = false
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        signal = sink.signal
        started.open()
        await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve(), { once: true }))
        await sink.push(['after close'])
        finished = true
      }
    })
    const subscription = openSubscription(producers, 'history.follow', {}, transport)
    await started.promise
    expect(signal?.aborted).toBe(false)
    subscription.close()
    expect(signal?.aborted).toBe(true)
    await settle()
    expect(finished).toBe(true)
    expect(transport.log).toEqual([])
  })

  it('releases a producer waiting at the high-water mark when the subscriber closes', async () => {
    const transport = recordingTransport()
    let released = false
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        await sink.push([1])
        await sink.push([2, 3, 4])
        released = true
      }
    })
    const subscription = openSubscription(producers, 'history.follow', {}, transport, {
      windowBatches: 1,
      highWaterItems: 2
    })
    await settle()
    expect(released).toBe(false)
    subscription.close()
    await settle()
    expect(released).toBe(true)
    expect(transport.log).toEqual([{ batch: [1] }])
  })

  it('aborts the signal when the stream ends on its own', async () => {
    const transport = recordingTransport()
    let signal: AbortSignal | undefined
    const producers = producersWith({
      'history.follow': async (_input, sink) => {
        signal = sink.signal
      }
    })
    openSubscription(producers, 'history.follow', {}, transport)
    await transport.ended
    expect(signal?.aborted).toBe(true)
  })

  it('ignores acks and closes after the stream has ended', async () => {
    const transport = recordingTransport()
    const producers = producersWith({ 'history.follow': async () => undefined })
    const subscription = openSubscription(producers, 'history.follow', {}, transport)
    await transport.ended
    subscription.ack()
    subscription.close()
    await settle()
    expect(transport.log).toEqual([{ end: null }])
  })
})
