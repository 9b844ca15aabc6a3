import type { IpcMainEvent, WebContents } from 'electron'
import { IPC_CHANNELS } from '@shared/bridge'
import { RampartError, type ContractError } from '@shared/errors'
import type { Handlers, StreamProducers } from './contract-dispatch'
import { serveContract, type ContractConnection } from './contract-server'

/** The part of Electron's ipcMain this binding uses (tests pass a hand-made one). */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
}

/** Decides from the sending frame's URL whether a message comes from the app's own page. */
export type TrustedSenderCheck = (frameUrl: string) => boolean

/** One page's connection: the transport pushes its messages in and ends it. */
interface PageConnection {
  connection: ContractConnection
  deliver(message: unknown, refusal?: ContractError): void
  close(): void
}

/**
 * Serves the contract over Electron IPC, one connection per page: every message on the one
 * channel is handed to that page's contract server. A message whose sending frame is not the
 * app's own page is refused (answered, never run). Returns a function that unbinds everything
 * and closes open streams.
 */
export function bindIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  producers: StreamProducers,
  isTrustedSender: TrustedSenderCheck
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
    // senderFrame is null when the frame navigated away or was destroyed meanwhile.
    const url = event.senderFrame?.url
    const trusted = typeof url === 'string' && isTrustedSender(url)
    pageOf(event.sender).deliver(message, trusted ? undefined : refusedSender(url))
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

function refusedSender(url: string | undefined): ContractError {
  const from = url ?? '(a frame that no longer exists)'
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
