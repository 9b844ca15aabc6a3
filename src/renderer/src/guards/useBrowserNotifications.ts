import { useState } from 'react'
import type { Attention } from '@shared/supervision-types'
import { getBridge, isDesktopApp } from '@renderer/contract/bridge'

/**
 * What the console can offer for desktop notifications:
 * - desktop-app: Electron, where main shows them (the page must not show them twice);
 * - unsupported: this browser has no Notification API;
 * - ask: the operator has not been asked; a button asks, never the page by itself;
 * - on: allowed; each attention is shown and its delivery recorded;
 * - blocked: the operator (or the browser) refused.
 */
type NotificationOffer = 'desktop-app' | 'unsupported' | 'ask' | 'on' | 'blocked'

export interface BrowserNotifications {
  offer: NotificationOffer
  /** Asks the browser's permission (from the operator's click only). */
  ask: () => Promise<void>
  /** Shows an attention on this desktop when allowed, and records that it was shown. */
  notify: (attention: Attention) => void
}

export function useBrowserNotifications(): BrowserNotifications {
  const [permission, setPermission] = useState<NotificationPermission | null>(() =>
    typeof Notification === 'undefined' ? null : Notification.permission
  )
  const offer = offerOf(permission)

  const ask = async () => {
    if (offer !== 'ask') return
    setPermission(await Notification.requestPermission())
  }

  const notify = (attention: Attention) => {
    if (isDesktopApp() || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
    // The tag makes a second console page on the same desktop replace, not repeat, the notice.
    new Notification(attention.title, { body: attention.body, tag: `rampart-attention-${attention.seq}` })
    void getBridge().invoke('attention.delivered', { attentionSeq: attention.seq, channel: 'browser' })
  }

  return { offer, ask, notify }
}

function offerOf(permission: NotificationPermission | null): NotificationOffer {
  if (isDesktopApp()) return 'desktop-app'
  if (permission === null) return 'unsupported'
  if (permission === 'granted') return 'on'
  return permission === 'denied' ? 'blocked' : 'ask'
}
