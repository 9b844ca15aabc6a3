import type {
  ClientMessage,
  InvokeResult,
  RampartBridge,
  ServerMessage,
  StreamHandlers,
  Unsubscribe
} from '@shared/bridge'
import type { ContractError } from '@shared/errors'

export type ConnectionState = 'connecting' | 'connected' | 'disconnected'

/** A bridge whose transport can drop; the UI shows its state. */
export interface ConnectedBridge extends RampartBridge {
  connectionState(): ConnectionState
  onConnectionChange(listener: () => void): () => void
}

const RECONNECT_FIRST_MS = 500
const RECONNECT_MAX_MS = 10_000

interface OpenStream {
  handlers: StreamHandlers<unknown>
  /** Batches are handed over one at a time, in order; each is acknowledged once it settled. */
  queue: Promise<void>
}

/**
 * Browser mode's RampartBridge over one WebSocket, reconnecting with back-off. While the
 * socket is down, calls fail at once with `unreachable` and open streams end with it, so
 * nothing waits silently; hooks start again when the state returns to connected.
 */
export function createWebSocketBridge(socketUrl: string): ConnectedBridge {
  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let failedAttempts = 0
  let nextId = 1
  const waitingForOpen: ClientMessage[] = []
  const pendingResults = new Map<number, (result: InvokeResult<unknown>) => void>()
  const streams = new Map<number, OpenStream>()
  const listeners = new Set<() => void>()

  const setState = (next: ConnectionState): void => {
    if (state === next) return
    state = next
    for (const listener of listeners) listener()
  }

  const send = (message: ClientMessage): boolean => {
    if (socket !== null && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message))
      return true
    }
    if (state === 'connecting') {
      waitingForOpen.push(message)
      return true
    }
    return false
  }

  const failEverything = (): void => {
    const error = lostConnection()
    waitingForOpen.length = 0
    for (const resolve of pendingResults.values()) resolve({ ok: false, error })
    pendingResults.clear()
    for (const stream of streams.values()) void stream.queue.then(() => stream.handlers.onEnd?.(error))
    streams.clear()
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
          .catch(() => undefined)
          .then(() => {
            if (streams.get(message.id) === stream) send({ t: 'ack', id: message.id })
          })
        return
      }
      case 'end': {
        const stream = streams.get(message.id)
        if (stream === undefined) return
        streams.delete(message.id)
        void stream.queue.then(() => stream.handlers.onEnd?.(message.error))
        return
      }
    }
  }

  const connect = (): void => {
    setState('connecting')
    const current = new WebSocket(socketUrl)
    socket = current
    current.onopen = () => {
      failedAttempts = 0
      setState('connected')
      for (const message of waitingForOpen.splice(0)) current.send(JSON.stringify(message))
    }
    current.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      receive(JSON.parse(event.data) as ServerMessage)
    }
    current.onclose = () => {
      if (socket !== current) return
      socket = null
      setState('disconnected')
      failEverything()
      const delayMs = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** failedAttempts)
      failedAttempts += 1
      setTimeout(connect, delayMs)
    }
  }

  const invoke = (name: string, input: unknown): Promise<InvokeResult<unknown>> => {
    const id = nextId
    nextId += 1
    return new Promise((resolve) => {
      pendingResults.set(id, resolve)
      if (!send({ t: 'invoke', id, name, input })) {
        pendingResults.delete(id)
        resolve({ ok: false, error: lostConnection() })
      }
    })
  }

  const subscribe = (name: string, input: unknown, handlers: StreamHandlers<unknown>): Unsubscribe => {
    const id = nextId
    nextId += 1
    const stream: OpenStream = { handlers, queue: Promise.resolve() }
    streams.set(id, stream)
    if (!send({ t: 'subscribe', id, name, input })) {
      streams.delete(id)
      void Promise.resolve().then(() => handlers.onEnd?.(lostConnection()))
    }
    return () => {
      if (streams.get(id) !== stream) return
      streams.delete(id)
      send({ t: 'unsubscribe', id })
    }
  }

  connect()
  return {
    invoke: invoke as RampartBridge['invoke'],
    subscribe: subscribe as RampartBridge['subscribe'],
    connectionState: () => state,
    onConnectionChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

function lostConnection(): ContractError {
  return {
    code: 'unreachable',
    message: 'Not connected to the Rampart server; it will reconnect by itself when the server is back.'
  }
}
