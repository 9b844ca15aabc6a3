import { BrowserWindow, shell, type Session, type WebContents } from 'electron'
import { isAppUrl } from './app-url'
import { contentSecurityPolicy } from './content-security-policy'

export interface MainWindowDeps {
  /** Absolute path of the built preload script. */
  preloadPath: string
  /** The renderer page: the built index.html as a file:// URL, or the dev-server URL. */
  appUrl: string
  /** Hosts whose https pages may be opened in the operator's browser (exact host names). */
  externalHosts: readonly string[]
  /** Set only under `electron-vite dev`: the dev server's origin, which needs a looser policy. */
  devServerOrigin?: string
}

/** The window's background, painted before the renderer draws, so a dark UI never flashes white. */
const BACKGROUND_COLOR = '#0f1216'

/**
 * The one window of the app, locked down: isolated sandboxed renderer, strict CSP, no
 * navigation away from the app, no new windows, no permissions. External links go to the
 * system browser only when they are https and on the allow-list.
 */
export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 480,
    title: 'Rampart',
    show: false,
    backgroundColor: BACKGROUND_COLOR,
    autoHideMenuBar: true,
    webPreferences: {
      preload: deps.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  })

  lockDownSession(window.webContents.session, deps.devServerOrigin)
  lockDownNavigation(window.webContents, deps)
  window.once('ready-to-show', () => window.show())
  void window.loadURL(deps.appUrl)
  return window
}

/** True only for an https URL without credentials or a non-default port, whose host is on the list. */
export function isAllowedExternalUrl(url: string, allowList: readonly string[]): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol !== 'https:') return false
  if (parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return false
  const host = parsed.hostname.toLowerCase()
  return allowList.some((allowed) => allowed.toLowerCase() === host)
}

function lockDownSession(session: Session, devServerOrigin: string | undefined): void {
  const policy = contentSecurityPolicy({ devServerOrigin })
  session.webRequest.onHeadersReceived((details, callback) => {
    // Any policy the server sent stays too: browsers enforce every policy, so ours can only tighten it.
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } })
  })
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

function lockDownNavigation(contents: WebContents, deps: MainWindowDeps): void {
  const openIfAllowed = (url: string): void => {
    if (isAllowedExternalUrl(url, deps.externalHosts)) void shell.openExternal(url)
  }
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, deps.appUrl)) return
    event.preventDefault()
    openIfAllowed(event.url)
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url)
    return { action: 'deny' }
  })
}
