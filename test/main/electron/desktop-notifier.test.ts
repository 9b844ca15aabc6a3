import { beforeEach, describe, expect, it, vi } from 'vitest'

const shown: Array<{ title: string; body: string; urgency: string }> = []
let supported = true

vi.mock('electron', () => ({
  Notification: class {
    static isSupported(): boolean {
      return supported
    }
    constructor(private readonly options: { title: string; body: string; urgency: string }) {}
    show(): void {
      shown.push(this.options)
    }
  }
}))

const { electronNotifier } = await import('@main/electron/desktop-notifier')

beforeEach(() => {
  shown.length = 0
  supported = true
})

describe('the Electron desktop notifier', () => {
  it('shows the operating system notification, critical for a trip', () => {
    expect(electronNotifier.show({ title: 'Guards tripped', body: 'rolled back', urgent: true })).toBe(true)
    expect(shown).toEqual([{ title: 'Guards tripped', body: 'rolled back', urgency: 'critical' }])
  })

  it('says so when the desktop has no notifications, so the record does not claim it was shown', () => {
    supported = false
    expect(electronNotifier.show({ title: 'Guard breach', body: 'x', urgent: false })).toBe(false)
    expect(shown).toEqual([])
  })
})
