import { readFileSync } from 'node:fs'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'

// A hand-made Electron: records what the window asks of it so each security setting can be checked.
const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown
  const state = {
    windowOptions: [] as Array<Record<string, unknown>>,
    loadedUrls: [] as string[],
    contentsListeners: new Map<string, Listener>(),
    windowOpenHandler: null as null | ((details: { url: string }) => { action: string }),
    headersListener: null as null | Listener,
    permissionRequestHandler: null as null | Listener,
    permissionCheckHandler: null as null | Listener,
    openExternal: vi.fn((_url: string) => Promise.resolve())
  }
  const session = {
    webRequest: {
      onHeadersReceived: (listener: Listener) => {
        state.headersListener = listener
      }
    },
    setPermissionRequestHandler: (handler: Listener) => {
      state.permissionRequestHandler = handler
    },
    setPermissionCheckHandler: (handler: Listener) => {
      state.permissionCheckHandler = handler
    }
  }
  class BrowserWindow {
    webContents = {
      session,
      on: (event: string, listener: Listener) => {
        state.contentsListeners.set(event, listener)
      },
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
        state.windowOpenHandler = handler
      }
    }
    constructor(options: Record<string, unknown>) {
      state.windowOptions.push(options)
    }
    once(): void {}
    show(): void {}
    loadURL(url: string): Promise<void> {
      state.loadedUrls.push(url)
      return Promise.resolve()
    }
  }
  return { state, session, BrowserWindow }
})

vi.mock('electron', () => ({
  BrowserWindow: electron.BrowserWindow,
  shell: { openExternal: electron.state.openExternal }
}))

const { createMainWindow, isAllowedExternalUrl } = await import('@main/electron/window')

const APP_URL = 'file:///opt/rampart/out/renderer/index.html'
const ALLOWED_HOSTS = ['github.com']

function openWindow(): void {
  createMainWindow({ preloadPath: '/opt/rampart/out/preload/index.js', appUrl: APP_URL, externalHosts: ALLOWED_HOSTS })
}

function navigate(url: string): { prevented: boolean } {
  const listener = electron.state.contentsListeners.get('will-navigate')
  if (listener === undefined) throw new Error('no will-navigate listener was registered')
  const event = {
    url,
    isMainFrame: true,
    prevented: false,
    preventDefault() {
      this.prevented = true
    }
  }
  listener(event)
  return event
}

function responseCsp(): string {
  const listener = electron.state.headersListener
  if (listener === null) throw new Error('no onHeadersReceived listener was registered')
  let headers: Record<string, string[]> = {}
  listener(
    { responseHeaders: { 'Content-Type': ['text/html'] } },
    (response: { responseHeaders: Record<string, string[]> }) => {
      headers = response.responseHeaders
    }
  )
  const csp = headers['Content-Security-Policy']
  if (csp === undefined || csp.length !== 1) throw new Error('the response carries no single CSP header')
  return csp[0]!
}

beforeEach(() => {
  electron.state.windowOptions.length = 0
  electron.state.loadedUrls.length = 0
  electron.state.contentsListeners.clear()
  electron.state.windowOpenHandler = null
  electron.state.headersListener = null
  electron.state.permissionRequestHandler = null
  electron.state.permissionCheckHandler = null
  electron.state.openExternal.mockClear()
})

describe('createMainWindow', () => {
  it('isolates and sandboxes the renderer, without Node, with web security and the preload', () => {
    openWindow()
    const preferences = electron.state.windowOptions[0]?.webPreferences as Record<string, unknown>
    expect(preferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/opt/rampart/out/preload/index.js'
    })
  })

  it('paints a dark background and loads the app page', () => {
    openWindow()
    const background = String(electron.state.windowOptions[0]?.backgroundColor)
    const [red, green, blue] = [1, 3, 5].map((at) => Number.parseInt(background.slice(at, at + 2), 16))
    expect(red! + green! + blue!).toBeLessThan(3 * 64)
    expect(electron.state.loadedUrls).toEqual([APP_URL])
  })

  it('sets a strict Content-Security-Policy header on every response', () => {
    openWindow()
    const directives = new Map(
      responseCsp()
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values.join(' ')])
    )
    expect(directives.get('default-src')).toBe("'self'")
    expect(directives.get('script-src')).toBe("'self'")
    expect(directives.get('style-src')).toBe("'self'")
    expect(directives.get('connect-src')).toBe("'self'")
    expect(directives.get('object-src')).toBe("'none'")
    expect(directives.get('base-uri')).toBe("'none'")
    expect(directives.get('frame-ancestors')).toBe("'none'")
    expect(directives.get('form-action')).toBe("'none'")
    expect(responseCsp()).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
  })

  it('denies navigation away from the app page and lets the app page itself load', () => {
    openWindow()
    expect(navigate('https://evil.example/').prevented).toBe(true)
    expect(navigate('file:///etc/passwd').prevented).toBe(true)
    expect(navigate(`${APP_URL}#flags`).prevented).toBe(false)
  })

  it('opens an allow-listed https link in the system browser instead of navigating', () => {
    openWindow()
    expect(navigate('https://github.com/rampart').prevented).toBe(true)
    expect(electron.state.openExternal).toHaveBeenCalledWith('https://github.com/rampart')
  })

  it('does not open a link whose host is not on the allow-list', () => {
    openWindow()
    navigate('https://github.com.evil.example/')
    expect(electron.state.openExternal).not.toHaveBeenCalled()
  })

  it('denies every new window and opens only allow-listed https links externally', () => {
    openWindow()
    const handler = electron.state.windowOpenHandler
    if (handler === null) throw new Error('no window open handler was set')
    expect(handler({ url: 'https://github.com/x' })).toEqual({ action: 'deny' })
    expect(handler({ url: 'http://github.com/x' })).toEqual({ action: 'deny' })
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(electron.state.openExternal.mock.calls).toEqual([['https://github.com/x']])
  })

  it('refuses to attach a webview', () => {
    openWindow()
    const listener = electron.state.contentsListeners.get('will-attach-webview')
    const event = {
      prevented: false,
      preventDefault() {
        this.prevented = true
      }
    }
    listener?.(event)
    expect(event.prevented).toBe(true)
  })

  it('denies every permission request and check', () => {
    openWindow()
    const answers: boolean[] = []
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      electron.state.permissionRequestHandler?.({}, permission, (granted: boolean) => answers.push(granted))
    }
    expect(answers).toEqual([false, false, false, false])
    expect(electron.state.permissionCheckHandler?.({}, 'media')).toBe(false)
  })
})

describe('isAllowedExternalUrl', () => {
  it('allows an https URL on an allow-listed host, whatever the case of the host', () => {
    expect(isAllowedExternalUrl('https://GitHub.com/owner/repo', ALLOWED_HOSTS)).toBe(true)
  })

  it('refuses http, other schemes, credentials, other ports, look-alike hosts and garbage', () => {
    for (const url of [
      'http://github.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://user:pass@github.com/',
      'https://github.com:8443/',
      'https://evilgithub.com/',
      'https://github.com.evil.example/',
      'https://api.github.com/',
      'not a url'
    ]) {
      expect(isAllowedExternalUrl(url, ALLOWED_HOSTS), url).toBe(false)
    }
  })
})

describe('the renderer page', () => {
  it('carries the same policy in its CSP meta tag, bar frame-ancestors which only works as a header', () => {
    const html = readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8')
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1]
    const expected = contentSecurityPolicy()
      .split('; ')
      .filter((directive) => !directive.startsWith('frame-ancestors'))
      .join('; ')
    expect(meta).toBe(expected)
  })
})
