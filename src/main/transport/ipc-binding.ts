import type { IpcMainEvent, WebContents } from 'electron'
import { IPC_CHANNELS } from '@shared/contract/bridge'
import { RampartError, type ContractError } from '@shared/errors'
import type { Handlers, StreamProducers } from './contract-dispatch'
import { serveContract, type ContractConnection } from './contract-server'

/** The part of Electron's ipcMain this binding uses (tests pass a hand-made one). */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
}

/** Who may call the app: its own window's web contents, showing its own page. */
export interface TrustedSender {
  /** The web contents of the app's window; messages from any other (another window, a webview) are refused. */
  isAppContents(contents: WebContents): boolean
  /** Whether the sending frame's URL is the app's own page. */
  isAppUrl(frameUrl: string): boolean
}

/** One page's connection: the transport pushes its messages in and ends it. */
interface PageConnection {
  connection: ContractConnection
  deliver(message: unknown, refusal?: ContractError): void
  close(): void
}

/**
 * Serves the contract over Electron IPC, one connection per page: every message on the one
 * channel is handed to that page's contract server. A message is refused (answered, never run)
 * unless it comes from the app window's web contents, from its top frame, showing the app's own
 * page. Returns a function that unbinds everything and closes open streams.
 */
export function bindIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  producers: StreamProducers,
  trusted: TrustedSender
): () => void {
  const pages = new Map<WebContents, PageConnection>()
  const watched = new WeakSet<WebContents>()

  const endPage = (sender: WebContents): void => {
    const page = pages.get(sender)
    pages.delete(sender)
    page?.close()
  }

  const pageOf = (sender: WebContents): PageConnection => {
    const known = pages.get(sender)
    if (known !== undefined) return known
    const page = pageConnection(sender)
    pages.set(sender, page)
    serveContract(page.connection, { handlers, producers, transport: 'ipc' })
    // Watched once per web contents: a reload ends the page, and the next message opens a new one.
    if (!watched.has(sender)) {
      watched.add(sender)
      watchSenderLifetime(sender, () => endPage(sender))
    }
    return page
  }

  const onMessage = (event: IpcMainEvent, message: unknown): void => {
    pageOf(event.sender).deliver(message, refusalOf(event, trusted) ?? undefined)
  }
  const listener = (event: IpcMainEvent, ...args: unknown[]): void => onMessage(event, args[0])
  ipcMain.on(IPC_CHANNELS.message, listener)

  return () => {
    ipcMain.removeListener(IPC_CHANNELS.message, listener)
    for (const sender of [...pages.keys()]) endPage(sender)
  }
}

function pageConnection(sender: WebContents): PageConnection {
  const messageListeners = new Set<(message: unknown, refusal?: ContractError) => void>()
  const closeListeners: Array<() => void> = []
  let open = true
  return {
    connection: {
      send: (message) => {
        if (open && !sender.isDestroyed()) sender.send(IPC_CHANNELS.message, message)
      },
      onMessage: (listener) => {
        messageListeners.add(listener)
        return () => messageListeners.delete(listener)
      },
      onClose: (listener) => {
        closeListeners.push(listener)
      }
    },
    deliver: (message, refusal) => {
      if (!open) return
      for (const listener of messageListeners) listener(message, refusal)
    },
    close: () => {
      if (!open) return
      open = false
      for (const listener of closeListeners) listener()
    }
  }
}

/** Why a message is refused, or null when it comes from the app's own page in its window. */
function refusalOf(event: IpcMainEvent, trusted: TrustedSender): ContractError | null {
  // senderFrame is null when the frame navigated away or was destroyed meanwhile.
  const frame = event.senderFrame
  const url = frame?.url
  let from: string | null = null
  if (frame === null || frame === undefined || typeof url !== 'string') from = '(a frame that no longer exists)'
  else if (!trusted.isAppContents(event.sender)) from = `another window or view (${url})`
  // The preload runs only in the top frame; a subframe reaching the channel is not the app page.
  else if ((frame.parent ?? null) !== null) from = `a subframe (${url})`
  else if (!trusted.isAppUrl(url)) from = url
  if (from === null) return null
  return new RampartError(
    'refused',
    `Refused a message from ${from}: only the Rampart window may call the app`
  ).toContractError()
}

/**
 * Streams belong to one page: they close when its web contents are destroyed, when its
 * renderer process dies, and when the main frame loads another document (a reload), which
 * starts before the new page can subscribe again.
 */
function watchSenderLifetime(sender: WebContents, endPage: () => void): void {
  sender.once('destroyed', endPage)
  sender.on('render-process-gone', endPage)
  sender.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) endPage()
  })
}
