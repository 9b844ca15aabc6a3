import type { RampartBridge } from '@shared/contract/bridge'
import {
  createWebSocketBridge,
  type ConnectedBridge,
  type ConnectionState,
  type WebSocketAddresses
} from './websocket-bridge'

export type { ConnectionState }

let bridge: ConnectedBridge | null = null

/**
 * The contract, whichever transport carries it: the preload's `window.rampart` in Electron,
 * otherwise the browser-mode WebSocket on the page's own host.
 */
export function getBridge(): ConnectedBridge {
  if (bridge === null)
    bridge = window.rampart === undefined ? createWebSocketBridge(addresses()) : alwaysConnected(window.rampart)
  return bridge
}

/** Electron's preload bridge is present: the desktop (notifications included) is main's. */
export function isDesktopApp(): boolean {
  return window.rampart !== undefined
}

function alwaysConnected(ipc: RampartBridge): ConnectedBridge {
  return {
    invoke: (name, input) => ipc.invoke(name, input),
    subscribe: (name, input, handlers) => ipc.subscribe(name, input, handlers),
    connectionState: () => 'connected',
    onConnectionChange: () => () => undefined
  }
}

function addresses(): WebSocketAddresses {
  const token = takeTokenFromAddress()
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`
  return { socketUrl: `${scheme}//${window.location.host}/ws${query}`, sessionUrl: `/session${query}` }
}

/**
 * Reads the per-start token from `?token=` once and removes it from the address bar, so it
 * does not linger in the history or get copied along with the URL. A reload then relies on
 * the HttpOnly cookie the server set with the first page.
 */
function takeTokenFromAddress(): string | null {
  const url = new URL(window.location.href)
  const token = url.searchParams.get('token')
  if (token === null) return null
  url.searchParams.delete('token')
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`)
  return token
}
