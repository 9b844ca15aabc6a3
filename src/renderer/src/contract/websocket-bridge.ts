import type { ClientMessage, RampartBridge, ServerMessage } from '@shared/contract/bridge'
import { createContractClient } from '@shared/contract/contract-client'
import type { ContractError } from '@shared/errors'

/**
 * `refused`: the server no longer accepts this page's token (it restarted and drew a new one), so
 * reconnecting cannot help; only the address it printed can.
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'refused'

/** A bridge whose transport can drop; the UI shows its state. */
export interface ConnectedBridge extends RampartBridge {
  connectionState(): ConnectionState
  onConnectionChange(listener: () => void): () => void
}

export interface WebSocketAddresses {
  socketUrl: string
  /** Answers 204 while the page's token is valid, 401/403 once it is not (src/main/transport/browser-server.ts). */
  sessionUrl: string
}

export const REFUSED_MESSAGE = 'The console server restarted with a new address; open the address it printed.'

const RECONNECT_FIRST_MS = 500
const RECONNECT_MAX_MS = 10_000

/**
 * Browser mode's RampartBridge over one WebSocket, reconnecting with back-off. While the
 * socket is down, calls fail at once with `unreachable` and open streams end with it, so
 * nothing waits silently; hooks start again when the state returns to connected. Before each
 * new attempt the bridge asks whether its token is still valid: once it is refused, it stops.
 */
export function createWebSocketBridge(addresses: WebSocketAddresses): ConnectedBridge {
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
    { unreachable: () => (state === 'refused' ? refusedToken() : lostConnection()) }
  )

  const connect = (): void => {
    setState('connecting')
    const current = new WebSocket(addresses.socketUrl)
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
      setTimeout(() => void reconnect(), delayMs)
    }
  }

  const reconnect = async (): Promise<void> => {
    if ((await tokenStanding(addresses.sessionUrl)) === 'refused') {
      setState('refused')
      return
    }
    connect()
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

/**
 * Whether the server still takes this page's token. A server that does not answer at all may be
 * restarting on the same address, so only a 401 or 403 counts as refused.
 */
async function tokenStanding(sessionUrl: string): Promise<'valid' | 'refused' | 'unknown'> {
  try {
    const response = await fetch(sessionUrl, { cache: 'no-store', credentials: 'same-origin' })
    if (response.status === 401 || response.status === 403) return 'refused'
    return response.ok ? 'valid' : 'unknown'
  } catch {
    return 'unknown'
  }
}

function lostConnection(): ContractError {
  return {
    code: 'unreachable',
    message: 'Not connected to the Rampart server; it will reconnect by itself when the server is back.'
  }
}

function refusedToken(): ContractError {
  return { code: 'unreachable', message: REFUSED_MESSAGE }
}
