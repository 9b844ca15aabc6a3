import { useConnectionState } from '@renderer/contract/useConnectionState'

const LABELS = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected — reconnecting'
} as const

export function ConnectionBadge() {
  const state = useConnectionState()
  return (
    <span className={`connection connection-${state}`} role="status" data-testid="connection-state">
      {LABELS[state]}
    </span>
  )
}
