import { useId } from 'react'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import type { BrowserNotifications } from '@renderer/guards/useBrowserNotifications'

/**
 * In browser mode, the operator's way to be told of a breach or a trip while looking elsewhere:
 * a button that asks the browser's permission. Nothing asks by itself; in Electron the desktop
 * notification is main's, so nothing is shown here.
 */
export function NotificationOffer({ notifications }: { notifications: BrowserNotifications }) {
  const statusId = useId()
  const focusAfterRender = useFocusAfterRender()
  const { offer } = notifications
  if (offer === 'desktop-app' || offer === 'unsupported') return null
  if (offer === 'ask') {
    return (
      <button
        type="button"
        className="notify-offer"
        onClick={() => void notifications.ask().then(() => focusAfterRender(statusId))}
      >
        Notify me on this desktop
      </button>
    )
  }
  return (
    <span id={statusId} tabIndex={-1} className="notify-status" role="status" data-testid="notify-status">
      {offer === 'on' ? 'Desktop notifications on' : 'Desktop notifications blocked by this browser'}
    </span>
  )
}
