/**
 * Shows a notification on the operator's desktop. The Electron app gives one; browser mode and the
 * CLI have none, and the page notifies instead once the operator allows it.
 */
export interface DesktopNotifier {
  /** False when the desktop cannot show notifications (no notification server, unsupported). */
  show(notice: { title: string; body: string; urgent: boolean }): boolean
}
