import { describe, expect, it } from 'vitest'
import type { ServerMessage } from '@shared/contract/bridge'
import { RampartError, type ContractError } from '@shared/errors'
import type { CallContext, Handlers, StreamProducers, StreamSink } from '@main/transport/contract-dispatch'
import { serveContract, type ContractConnection } from '@main/transport/contract-server'
import { controlledStream, recordingHandlers } from '@test/fixtures/recording-handlers'

type MessageListener = (message: unknown, refusal?: ContractError) => void

/** A connection driven by the test: what the server sends, and whether it closed the connection. */
function fakeConnection() {
  const sent: ServerMessage[] = []
  const closedWith: string[] = []
  const messageListeners = new Set<MessageListener>()
  const closeListeners: Array<() => void> = []
  const connection: ContractConnection = {
    send: (message) => void sent.push(message),
    onMessage: (listener) => {
      messageListeners.add(listener)
      return () => messageListeners.delete(listener)
    },
    onClose: (listener) => void closeListeners.push(listener),
    close: (reason) => void closedWith.push(reason)
  }
  return {
    connection,
    sent,
    closedWith,
    fromPeer: (message: unknown, refusal?: ContractError) => {
      for (const listener of messageListeners) listener(message, refusal)
    },
    peerGone: () => {
      for (const listener of closeListeners) listener()
    },
    listening: () => messageListeners.size > 0
  }
}

function serve(handlers: Handlers, producers: StreamProducers = controlledStream().producers) {
  const peer = fakeConnection()
  serveContract(peer.connection, { handlers, producers, transport: 'test' })
  return peer
}

/** `history.follow` producers that wait for their subscriber to go away, recording each signal. */
function abortableStreams(): { producers: StreamProducers; signals: AbortSignal[] } {
  const signals: AbortSignal[] = []
  const producers = {
    'history.follow': async (_input: unknown, sink: StreamSink<unknown>) => {
      signals.push(sink.signal)
      await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve()))
    }
  } as unknown as StreamProducers
  return { producers, signals }
}

const REFUSED: ContractError = new RampartError(
  'refused',
  'Refused a message from https://evil.example/'
).toContractError()

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('serveContract', () => {
  it('answers an invoke under its id, with the transport in the call context', async () => {
    const contexts: CallContext[] = []
    const calls: string[] = []
    const peer = serve({
      ...recordingHandlers(calls),
      'flags.list': async (_input: unknown, context: CallContext) => {
        contexts.push(context)
        return []
      }
    } as unknown as Handlers)
    peer.fromPeer({ t: 'invoke', id: 1, name: 'flags.list', input: {} })
    peer.fromPeer({ t: 'invoke', id: 2, name: 'flags.get', input: { flag: 'unified_llm_hub' } })
    await settle()
    expect(peer.sent).toEqual([
      { t: 'result', id: 1, result: { ok: true, value: [] } },
      { t: 'result', id: 2, result: { ok: true, value: { name: 'flags.get', input: { flag: 'unified_llm_hub' } } } }
    ])
    expect(contexts).toEqual([{ transport: 'test' }])
  })

  it('answers each invoke as it finishes, a slow one after a quick one sent later', async () => {
    let release: () => void = () => undefined
    const peer = serve({
      ...recordingHandlers([]),
      'history.verify': () => new Promise((resolve) => (release = () => resolve('verified')))
    } as unknown as Handlers)
    peer.fromPeer({ t: 'invoke', id: 1, name: 'history.verify', input: {} })
    peer.fromPeer({ t: 'invoke', id: 2, name: 'flags.list', input: {} })
    await settle()
    expect(peer.sent.map((message) => message.id)).toEqual([2])
    release()
    await settle()
    expect(peer.sent.map((message) => message.id)).toEqual([2, 1])
    expect(peer.sent[1]).toEqual({ t: 'result', id: 1, result: { ok: true, value: 'verified' } })
  })

  it('leaves input validation to dispatch: bad input comes back as a bad_input result', async () => {
    const calls: string[] = []
    const peer = serve(recordingHandlers(calls))
    peer.fromPeer({ t: 'invoke', id: 4, name: 'flags.evaluate', input: { flag: 'unified_llm_hub', user: 42 } })
    peer.fromPeer({ t: 'invoke', id: 5, name: 'shell.exec', input: {} })
    await settle()
    expect(peer.sent).toEqual([
      {
        t: 'result',
        id: 4,
        result: {
          ok: false,
          error: expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/\buser\b/) })
        }
      },
      {
        t: 'result',
        id: 5,
        result: {
          ok: false,
          error: expect.objectContaining({ code: 'bad_input', message: expect.stringContaining('shell.exec') })
        }
      }
    ])
    expect(calls).toEqual([])
  })

  it('closes the connection on a message that is not a ClientMessage, and runs nothing', async () => {
    const malformed: unknown[] = [
      undefined,
      null,
      'flags.list',
      42,
      [],
      {},
      { t: 'invoke', name: 'flags.list', input: {} },
      { t: 'invoke', id: -1, name: 'flags.list', input: {} },
      { t: 'invoke', id: 1.5, name: 'flags.list', input: {} },
      { t: 'invoke', id: '1', name: 'flags.list', input: {} },
      { t: 'invoke', id: 2 ** 53, name: 'flags.list', input: {} },
      { t: 'invoke', id: 1, name: 7, input: {} },
      { t: 'subscribe', id: 1, input: {} },
      { t: 'ack' },
      { t: 'unsubscribe', id: null },
      { t: 'shout', id: 1 },
      { t: 'result', id: 1, result: { ok: true, value: 1 } }
    ]
    for (const message of malformed) {
      const calls: string[] = []
      const stream = controlledStream()
      const peer = serve(recordingHandlers(calls), stream.producers)
      peer.fromPeer(message)
      await settle()
      expect(peer.closedWith, JSON.stringify(message)).toEqual(['malformed message'])
      expect(peer.sent, JSON.stringify(message)).toEqual([])
      expect(calls).toEqual([])
      expect(stream.started()).toBe(false)
    }
  })

  it('answers a refused invoke and a refused subscription with the refusal, and runs neither', async () => {
    const calls: string[] = []
    const stream = controlledStream()
    const peer = serve(recordingHandlers(calls), stream.producers)
    peer.fromPeer(
      { t: 'invoke', id: 1, name: 'rollout.move', input: { flag: 'unified_llm_hub', move: 'kill', reason: 'x' } },
      REFUSED
    )
    peer.fromPeer({ t: 'subscribe', id: 2, name: 'history.follow', input: {} }, REFUSED)
    await settle()
    expect(peer.sent).toEqual([
      { t: 'result', id: 1, result: { ok: false, error: REFUSED } },
      { t: 'end', id: 2, error: REFUSED }
    ])
    expect(calls).toEqual([])
    expect(stream.started()).toBe(false)
    expect(peer.closedWith).toEqual([])
  })

  it(
    'ignores refused acknowledgements and unsubscriptions, ' + 'and drops a refused malformed message without closing',
    async () => {
      const stream = controlledStream()
      const peer = serve(recordingHandlers([]), stream.producers)
      peer.fromPeer({ t: 'subscribe', id: 3, name: 'history.follow', input: {} })
      await settle()
      for (const item of [1, 2, 3]) stream.push(item)
      peer.fromPeer({ t: 'ack', id: 3 }, REFUSED)
      peer.fromPeer({ t: 'unsubscribe', id: 3 }, REFUSED)
      peer.fromPeer('garbage', REFUSED)
      expect(peer.sent.filter((message) => message.t === 'batch')).toHaveLength(2)
      expect(peer.closedWith).toEqual([])

      peer.fromPeer({ t: 'ack', id: 3 })
      expect(peer.sent.filter((message) => message.t === 'batch')).toHaveLength(3)
    }
  )

  it('sends batches in order, the next only after an acknowledgement, coalescing what came meanwhile', async () => {
    const stream = controlledStream()
    const peer = serve(recordingHandlers([]), stream.producers)
    peer.fromPeer({ t: 'subscribe', id: 3, name: 'history.follow', input: {} })
    await settle()
    for (const item of [1, 2, 3, 4]) stream.push(item)
    await settle()
    // Two batches may be in flight; the rest waits for an acknowledgement.
    expect(peer.sent).toEqual([
      { t: 'batch', id: 3, items: [1] },
      { t: 'batch', id: 3, items: [2] }
    ])
    peer.fromPeer({ t: 'ack', id: 3 })
    stream.push(5)
    peer.fromPeer({ t: 'ack', id: 3 })
    expect(peer.sent).toEqual([
      { t: 'batch', id: 3, items: [1] },
      { t: 'batch', id: 3, items: [2] },
      { t: 'batch', id: 3, items: [3, 4] },
      { t: 'batch', id: 3, items: [5] }
    ])
  })

  it('sends the end after the last batch when the stream finishes', async () => {
    const stream = controlledStream()
    const peer = serve(recordingHandlers([]), stream.producers)
    peer.fromPeer({ t: 'subscribe', id: 5, name: 'history.follow', input: {} })
    await settle()
    stream.push(1)
    stream.finish()
    await settle()
    expect(peer.sent).toEqual([
      { t: 'batch', id: 5, items: [1] },
      { t: 'end', id: 5, error: null }
    ])
    // The ended stream is forgotten: a late acknowledgement does nothing.
    peer.fromPeer({ t: 'ack', id: 5 })
    expect(peer.sent).toHaveLength(2)
  })

  it('ends a subscription with malformed input at once with bad_input naming the field', async () => {
    const stream = controlledStream()
    const peer = serve(recordingHandlers([]), stream.producers)
    peer.fromPeer({ t: 'subscribe', id: 7, name: 'history.follow', input: { afterSeq: -3 } })
    peer.fromPeer({ t: 'subscribe', id: 8, name: 'shell.tail', input: {} })
    await settle()
    expect(stream.started()).toBe(false)
    expect(peer.sent).toEqual([
      {
        t: 'end',
        id: 7,
        error: expect.objectContaining({ code: 'bad_input', message: expect.stringContaining('afterSeq') })
      },
      {
        t: 'end',
        id: 8,
        error: expect.objectContaining({ code: 'bad_input', message: expect.stringContaining('shell.tail') })
      }
    ])
  })

  it('stops a stream the peer unsubscribes from: no more batches, its producer aborted, no end', async () => {
    const stream = controlledStream()
    const peer = serve(recordingHandlers([]), stream.producers)
    peer.fromPeer({ t: 'subscribe', id: 9, name: 'history.follow', input: {} })
    await settle()
    for (const item of [1, 2, 3]) stream.push(item)
    peer.fromPeer({ t: 'unsubscribe', id: 9 })
    peer.fromPeer({ t: 'ack', id: 9 })
    stream.finish()
    await settle()
    expect(peer.sent).toEqual([
      { t: 'batch', id: 9, items: [1] },
      { t: 'batch', id: 9, items: [2] }
    ])

    const { producers, signals } = abortableStreams()
    const other = serve(recordingHandlers([]), producers)
    other.fromPeer({ t: 'subscribe', id: 1, name: 'history.follow', input: {} })
    other.fromPeer({ t: 'unsubscribe', id: 1 })
    expect(signals.map((signal) => signal.aborted)).toEqual([true])
  })

  it('replaces a stream whose id the peer reuses, closing the old one', async () => {
    const { producers, signals } = abortableStreams()
    const peer = serve(recordingHandlers([]), producers)
    peer.fromPeer({ t: 'subscribe', id: 1, name: 'history.follow', input: {} })
    peer.fromPeer({ t: 'subscribe', id: 1, name: 'history.follow', input: {} })
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false])
    peer.fromPeer({ t: 'unsubscribe', id: 1 })
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
  })

  it('closes every stream when the connection closes, and sends and handles nothing afterwards', async () => {
    const { producers, signals } = abortableStreams()
    const calls: string[] = []
    let release: () => void = () => undefined
    const peer = serve(
      {
        ...recordingHandlers(calls),
        'history.verify': () => new Promise((resolve) => (release = () => resolve('verified')))
      } as unknown as Handlers,
      producers
    )
    peer.fromPeer({ t: 'subscribe', id: 1, name: 'history.follow', input: {} })
    peer.fromPeer({ t: 'subscribe', id: 2, name: 'history.follow', input: {} })
    peer.fromPeer({ t: 'invoke', id: 3, name: 'history.verify', input: {} })
    peer.peerGone()
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
    expect(peer.listening()).toBe(false)

    release()
    peer.fromPeer({ t: 'invoke', id: 4, name: 'flags.list', input: {} })
    await settle()
    expect(peer.sent).toEqual([])
    expect(calls).toEqual([])
  })

  it('ignores an acknowledgement or unsubscription for a stream it does not know', async () => {
    const peer = serve(recordingHandlers([]))
    peer.fromPeer({ t: 'ack', id: 12 })
    peer.fromPeer({ t: 'unsubscribe', id: 12 })
    await settle()
    expect(peer.sent).toEqual([])
    expect(peer.closedWith).toEqual([])
  })
})
