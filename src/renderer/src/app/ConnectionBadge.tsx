import { useConnectionState } from '@renderer/contract/useConnectionState'
import { REFUSED_MESSAGE } from '@renderer/contract/websocket-bridge'

const LABELS = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected — reconnecting',
  refused: 'Disconnected: new address needed'
} as const

export function ConnectionBadge() {
  const state = useConnectionState()
  return (
    <span className={`connection connection-${state}`} role="status" data-testid="connection-state">
      {LABELS[state]}
    </span>
  )
}

/**
 * Said in full under the header once the server refuses this page's token: it restarted with a
 * new one, reconnecting cannot help, and the operator must open the address it printed.
 */
export function ConnectionNotice() {
  const state = useConnectionState()
  if (state !== 'refused') return null
  return (
    <p className="connection-notice" role="alert" data-testid="connection-notice">
      {REFUSED_MESSAGE}
    </p>
  )
}
