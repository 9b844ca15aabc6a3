import { useSyncExternalStore } from 'react'
import { getBridge, type ConnectionState } from './bridge'

export function useConnectionState(): ConnectionState {
  const bridge = getBridge()
  return useSyncExternalStore(bridge.onConnectionChange, bridge.connectionState)
}
