import { Notification } from 'electron'
import type { DesktopNotifier } from '@main/platform/desktop-notifier'

/** Electron's notifications: the operating system's own, shown whichever window is in front. */
export const electronNotifier: DesktopNotifier = {
  show({ title, body, urgent }) {
    if (!Notification.isSupported()) return false
    new Notification({ title, body, urgency: urgent ? 'critical' : 'normal' }).show()
    return true
  }
}
