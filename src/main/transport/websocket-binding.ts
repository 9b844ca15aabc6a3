import type { RawData, WebSocket } from 'ws'
import type { ClientMessage, ServerMessage } from '@shared/bridge'
import {
  dispatchInvoke,
  openSubscription,
  type Handlers,
  type StreamProducers,
  type Subscription
} from './contract-dispatch'

/** Close code for a message that is not a ClientMessage (RFC 6455 "policy violation"). */
const POLICY_VIOLATION = 1008

/**
 * Binds one authenticated WebSocket to the contract, the browser-mode twin of `bindIpc`:
 * every operation through `dispatchInvoke`, every stream through `openSubscription`, so it
 * knows no operation by name. Streams close with the socket.
 */
export function bindWebSocket(socket: WebSocket, handlers: Handlers, producers: StreamProducers): void {
  const subscriptions = new Map<number, Subscription>()

  const send = (message: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
  }

  const subscribe = (id: number, name: string, input: unknown): void => {
    subscriptions.get(id)?.close()
    subscriptions.delete(id)
    // sendEnd may run inside openSubscription, before its result is assigned.
    let ended = false
    const slot: { subscription?: Subscription } = {}
    const subscription = openSubscription(producers, name, input, {
      sendBatch: (items) => send({ t: 'batch', id, items }),
      sendEnd: (error) => {
        ended = true
        if (slot.subscription !== undefined && subscriptions.get(id) === slot.subscription) subscriptions.delete(id)
        send({ t: 'end', id, error })
      }
    })
    slot.subscription = subscription
    if (!ended) subscriptions.set(id, subscription)
  }

  socket.on('message', (data, isBinary) => {
    const message = isBinary ? null : parseClientMessage(data)
    if (message === null) {
      socket.close(POLICY_VIOLATION, 'malformed message')
      return
    }
    switch (message.t) {
      case 'invoke':
        void dispatchInvoke(handlers, message.name, message.input, { transport: 'websocket' }).then((result) =>
          send({ t: 'result', id: message.id, result })
        )
        return
      case 'subscribe':
        subscribe(message.id, message.name, message.input)
        return
      case 'ack':
        subscriptions.get(message.id)?.ack()
        return
      case 'unsubscribe':
        subscriptions.get(message.id)?.close()
        subscriptions.delete(message.id)
        return
    }
  })

  socket.on('close', () => {
    for (const subscription of subscriptions.values()) subscription.close()
    subscriptions.clear()
  })
}

/** The envelope only; each operation's input is validated by dispatchInvoke against the contract. */
function parseClientMessage(data: RawData): ClientMessage | null {
  let value: unknown
  try {
    value = JSON.parse(rawText(data))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const message = value as Record<string, unknown>
  const id = message.id
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null
  switch (message.t) {
    case 'invoke':
    case 'subscribe':
      if (typeof message.name !== 'string') return null
      return { t: message.t, id, name: message.name, input: message.input }
    case 'ack':
    case 'unsubscribe':
      return { t: message.t, id }
    default:
      return null
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
