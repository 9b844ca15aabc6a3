import type { ClientMessage, ServerMessage } from '@shared/contract/bridge'
import type { ContractError } from '@shared/errors'
import {
  dispatchInvoke,
  openSubscription,
  type CallContext,
  type Handlers,
  type StreamProducers,
  type Subscription
} from './contract-dispatch'

type Dispose = () => void

/**
 * One peer of the contract, whatever carries it: a WebSocket, or one page's web contents over
 * Electron IPC. The transport encodes and decodes; the server owns the protocol.
 */
export interface ContractConnection {
  /** Hands one message to the peer. */
  send(message: ServerMessage): void
  /**
   * Every message the peer sends, decoded but not yet checked (`undefined` for one that could not
   * be decoded). A transport that does not trust the message's sender passes the `refusal` to
   * answer it with: nothing runs then.
   */
  onMessage(listener: (message: unknown, refusal?: ContractError) => void): Dispose
  /** The peer is gone: its streams close and nothing more is sent to it. */
  onClose(listener: () => void): void
  /**
   * The peer sent something that is not a ClientMessage. A transport that can end the connection
   * does (a WebSocket closes with 1008); without it the message is dropped and the peer kept.
   */
  close?(reason: string): void
}

export interface ContractServerOptions {
  handlers: Handlers
  producers: StreamProducers
  transport: CallContext['transport']
}

/**
 * Serves the contract to one connection: every operation through `dispatchInvoke`, every stream
 * through `openSubscription`, so it knows no operation by name. It keeps the connection's open
 * streams and closes them all when the connection closes. Each operation's input is validated
 * in dispatch; only the envelope is checked here.
 */
export function serveContract(connection: ContractConnection, options: ContractServerOptions): void {
  const { handlers, producers, transport } = options
  const subscriptions = new Map<number, Subscription>()
  let closed = false

  // A result that arrives after the peer left (a reload) must not reach the page that replaced it.
  const send = (message: ServerMessage): void => {
    if (!closed) connection.send(message)
  }

  const subscribe = (id: number, name: string, input: unknown): void => {
    // A peer reusing an id lost track of the old stream; keep only the new one.
    subscriptions.get(id)?.close()
    subscriptions.delete(id)
    // sendEnd may run inside openSubscription (bad input), before its result is assigned.
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
    // A stream refused at once has already reported its end and is not kept.
    if (!ended) subscriptions.set(id, subscription)
  }

  const unsubscribe = (id: number): void => {
    subscriptions.get(id)?.close()
    subscriptions.delete(id)
  }

  const receive = (message: ClientMessage): void => {
    switch (message.t) {
      case 'invoke':
        void dispatchInvoke(handlers, message.name, message.input, { transport }).then((result) =>
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
        unsubscribe(message.id)
        return
    }
  }

  // A refused call still gets its answer, so the page shows why instead of waiting forever.
  const refuse = (message: ClientMessage, refusal: ContractError): void => {
    if (message.t === 'invoke') send({ t: 'result', id: message.id, result: { ok: false, error: refusal } })
    if (message.t === 'subscribe') send({ t: 'end', id: message.id, error: refusal })
  }

  const stopListening = connection.onMessage((raw, refusal) => {
    if (closed) return
    const message = parseClientMessage(raw)
    if (message === null) {
      // Only the peer itself is told off; a stranger's garbage is dropped.
      if (refusal === undefined) connection.close?.('malformed message')
      return
    }
    if (refusal !== undefined) refuse(message, refusal)
    else receive(message)
  })

  connection.onClose(() => {
    if (closed) return
    closed = true
    stopListening()
    for (const subscription of subscriptions.values()) subscription.close()
    subscriptions.clear()
  })
}

/** The envelope only: each operation's input is validated by dispatch against the contract. */
function parseClientMessage(value: unknown): ClientMessage | null {
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
