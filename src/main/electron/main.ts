import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain } from 'electron'
import { toContractError } from '@shared/errors'
import { createAppContext, type AppContext } from '@main/app/app-context'
import { isAppUrl } from './app-url'
import { bindIpc } from '@main/transport/ipc-binding'
import { createMainWindow } from './window'
import { electronNotifier } from './desktop-notifier'

/** Sites the app may open in the operator's browser; everything else stays closed. */
const EXTERNAL_HOSTS = ['github.com']

// Every renderer, including any created by accident, runs sandboxed.
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  // A second copy would share the history file and confuse who did what; the first one is focused instead.
  app.quit()
} else {
  let context: AppContext | null = null
  let unbindIpc: (() => void) | null = null

  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0]
    if (window === undefined) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })

  app.on('window-all-closed', () => app.quit())

  app.on('will-quit', () => {
    unbindIpc?.()
    context?.close()
    context = null
  })

  void app.whenReady().then(async () => {
    try {
      context = await createAppContext({ workspacePath: workspaceArgument(process.argv), notifier: electronNotifier })
    } catch (error) {
      dialog.showErrorBox('Rampart could not start', toContractError(error).message)
      app.exit(1)
      return
    }
    const appUrl = rendererUrl()
    // Guards are watched from here on, whatever page is open: pages only follow the supervision.
    context.services.supervisor.start()
    const window = createMainWindow({
      preloadPath: join(__dirname, '../preload/index.js'),
      appUrl,
      externalHosts: EXTERNAL_HOSTS,
      devServerOrigin: appUrl.startsWith('http') ? new URL(appUrl).origin : undefined
    })
    // Bound in the same turn the window is created, before its page can load and send anything.
    const appContents = window.webContents
    unbindIpc = bindIpc(ipcMain, context.handlers, context.producers, {
      isAppContents: (contents) => contents === appContents,
      isAppUrl: (frameUrl) => isAppUrl(frameUrl, appUrl)
    })
  })
}

/** The built page, or electron-vite's dev server while developing (never in a packaged app). */
function rendererUrl(): string {
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (!app.isPackaged && devServer !== undefined && devServer !== '') return devServer
  return pathToFileURL(join(__dirname, '../renderer/index.html')).href
}

/** `--workspace FILE` or `--workspace=FILE`, as the CLI takes it. */
function workspaceArgument(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]
    if (argument === '--workspace') return argv[index + 1]
    if (argument?.startsWith('--workspace=')) return argument.slice('--workspace='.length)
  }
  return undefined
}
