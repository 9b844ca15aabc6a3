import type { ContractError } from '../errors'
import type { InputOf, OperationName, OutputOf, StreamInputOf, StreamItemOf, StreamName } from './contract'

/** The result of an invoke as it crosses a transport: never a thrown stack trace. */
export type InvokeResult<T> = { ok: true; value: T } | { ok: false; error: ContractError }

export type Unsubscribe = () => void

export interface StreamHandlers<T> {
  /** Called once per batch; the next batch is sent only after this returns (or its promise settles). */
  onBatch: (items: T[]) => void | Promise<void>
  /** Called once when the stream ends, with the error if it failed. */
  onEnd?: (error: ContractError | null) => void
}

/**
 * Exactly what the renderer can reach, whichever transport carries it:
 * the Electron preload exposes it as `window.rampart`; browser mode implements it over a WebSocket.
 */
export interface RampartBridge {
  invoke<N extends OperationName>(name: N, input: InputOf<N>): Promise<InvokeResult<OutputOf<N>>>
  subscribe<N extends StreamName>(
    name: N,
    input: StreamInputOf<N>,
    handlers: StreamHandlers<StreamItemOf<N>>
  ): Unsubscribe
}

/**
 * The one Electron IPC channel, the same name in both directions: the renderer sends
 * ClientMessages on it and main answers with ServerMessages, as the WebSocket does in browser mode.
 */
export const IPC_CHANNELS = {
  message: 'rampart:message'
} as const

/**
 * The contract's wire protocol, the same over Electron IPC and the browser-mode WebSocket.
 * Invoke and subscribe ids are chosen by the client and unique per connection; a stream's
 * batches are acknowledged one by one, and its end follows its last batch.
 */
export type ClientMessage =
  | { t: 'invoke'; id: number; name: string; input: unknown }
  | { t: 'subscribe'; id: number; name: string; input: unknown }
  | { t: 'ack'; id: number }
  | { t: 'unsubscribe'; id: number }

export type ServerMessage =
  | { t: 'result'; id: number; result: InvokeResult<unknown> }
  | { t: 'batch'; id: number; items: unknown[] }
  | { t: 'end'; id: number; error: ContractError | null }
