import type { ClientMessage, RampartBridge, ServerMessage } from '@shared/bridge'
import { createContractClient } from '@shared/contract-client'
import type { ContractError } from '@shared/errors'

export type ConnectionState = 'connecting' | 'connected' | 'disconnected'

/** A bridge whose transport can drop; the UI shows its state. */
export interface ConnectedBridge extends RampartBridge {
  connectionState(): ConnectionState
  onConnectionChange(listener: () => void): () => void
}

const RECONNECT_FIRST_MS = 500
const RECONNECT_MAX_MS = 10_000

/**
 * Browser mode's RampartBridge over one WebSocket, reconnecting with back-off. While the
 * socket is down, calls fail at once with `unreachable` and open streams end with it, so
 * nothing waits silently; hooks start again when the state returns to connected.
 */
export function createWebSocketBridge(socketUrl: string): ConnectedBridge {
  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let failedAttempts = 0
  const waitingForOpen: ClientMessage[] = []
  const listeners = new Set<() => void>()

  const setState = (next: ConnectionState): void => {
    if (state === next) return
    state = next
    for (const listener of listeners) listener()
  }

  const client = createContractClient(
    {
      send: (message) => {
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
    },
    { unreachable: lostConnection }
  )

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
      client.receive(JSON.parse(event.data) as ServerMessage)
    }
    current.onclose = () => {
      if (socket !== current) return
      socket = null
      setState('disconnected')
      waitingForOpen.length = 0
      client.failAll(lostConnection())
      const delayMs = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** failedAttempts)
      failedAttempts += 1
      setTimeout(connect, delayMs)
    }
  }

  connect()
  return {
    invoke: client.invoke,
    subscribe: client.subscribe,
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
