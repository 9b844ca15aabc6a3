import type { ClientMessage, InvokeResult, RampartBridge, ServerMessage, StreamHandlers, Unsubscribe } from './bridge'
import type { ContractError } from '../errors'

/**
 * Where the client's messages go: the preload's IPC channel or the browser's WebSocket. Pure on
 * purpose (no DOM, Node or Electron): the sandboxed preload inlines it.
 */
export interface ClientConnection {
  /** Hands one message to the transport; false when it cannot carry it now (the connection is down). */
  send(message: ClientMessage): boolean | void
}

export interface ContractClientOptions {
  /** The error a call or stream gets when `send` returns false. */
  unreachable?: () => ContractError
}

/** The RampartBridge over one connection, fed by the transport with what the server sends. */
export interface ContractClient extends RampartBridge {
  /** One message from the server. */
  receive(message: ServerMessage): void
  /** The connection is lost: every pending call and open stream ends with `error`. */
  failAll(error: ContractError): void
}

interface OpenStream {
  handlers: StreamHandlers<unknown>
  /** Batches are handed over one at a time, in order; each is acknowledged once it settled. */
  queue: Promise<void>
}

const DEFAULT_UNREACHABLE: ContractError = { code: 'unreachable', message: 'Not connected to the Rampart app.' }

export function createContractClient(
  connection: ClientConnection,
  options: ContractClientOptions = {}
): ContractClient {
  const unreachable = options.unreachable ?? (() => DEFAULT_UNREACHABLE)
  const pendingResults = new Map<number, (result: InvokeResult<unknown>) => void>()
  const streams = new Map<number, OpenStream>()
  let nextId = 1

  /** Null once the transport took the message, else why it could not. */
  const trySend = (message: ClientMessage, what: string): ContractError | null => {
    try {
      return connection.send(message) === false ? unreachable() : null
    } catch (error) {
      // A message the transport cannot encode (IPC's structured clone, JSON) fails this call only.
      const reason = error instanceof Error ? error.message : String(error)
      return { code: 'failed', message: `Could not send ${what} to the app: ${reason}` }
    }
  }

  // The end follows the last batch: let every batch before it be handled first.
  const endAfterQueue = (stream: OpenStream, error: ContractError | null): void => {
    void stream.queue.then(() => stream.handlers.onEnd?.(error))
  }

  const invoke = (name: string, input: unknown): Promise<InvokeResult<unknown>> => {
    const id = nextId
    nextId += 1
    return new Promise((resolve) => {
      pendingResults.set(id, resolve)
      const notSent = trySend({ t: 'invoke', id, name, input }, name)
      if (notSent === null) return
      pendingResults.delete(id)
      resolve({ ok: false, error: notSent })
    })
  }

  const subscribe = (name: string, input: unknown, handlers: StreamHandlers<unknown>): Unsubscribe => {
    const id = nextId
    nextId += 1
    const stream: OpenStream = { handlers, queue: Promise.resolve() }
    streams.set(id, stream)
    const notSent = trySend({ t: 'subscribe', id, name, input }, name)
    // Ended on a later turn: the caller has its unsubscribe function before onEnd runs.
    if (notSent !== null) {
      streams.delete(id)
      endAfterQueue(stream, notSent)
    }
    return () => {
      if (streams.get(id) !== stream) return
      streams.delete(id)
      trySend({ t: 'unsubscribe', id }, name)
    }
  }

  const receive = (message: ServerMessage): void => {
    switch (message.t) {
      case 'result': {
        const resolve = pendingResults.get(message.id)
        pendingResults.delete(message.id)
        resolve?.(message.result)
        return
      }
      case 'batch': {
        const stream = streams.get(message.id)
        if (stream === undefined) return
        stream.queue = stream.queue
          .then(() => stream.handlers.onBatch(message.items))
          // A handler that failed on one batch still wants the next; the server must not stall.
          .catch(() => undefined)
          .then(() => {
            if (streams.get(message.id) === stream) trySend({ t: 'ack', id: message.id }, 'an acknowledgement')
          })
        return
      }
      case 'end': {
        const stream = streams.get(message.id)
        if (stream === undefined) return
        streams.delete(message.id)
        endAfterQueue(stream, message.error)
        return
      }
    }
  }

  const failAll = (error: ContractError): void => {
    for (const resolve of pendingResults.values()) resolve({ ok: false, error })
    pendingResults.clear()
    for (const stream of streams.values()) endAfterQueue(stream, error)
    streams.clear()
  }

  return {
    invoke: invoke as RampartBridge['invoke'],
    subscribe: subscribe as RampartBridge['subscribe'],
    receive,
    failAll
  }
}
