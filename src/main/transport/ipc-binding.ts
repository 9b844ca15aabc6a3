import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import { IPC_CHANNELS, type InvokeResult } from '@shared/bridge'
import { RampartError, type ContractError } from '@shared/errors'
import {
  dispatchInvoke,
  openSubscription,
  type Handlers,
  type StreamProducers,
  type Subscription
} from './contract-dispatch'

/** The part of Electron's ipcMain this binding uses (tests pass a hand-made one). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown
}

/** Decides from the sending frame's URL whether a message comes from the app's own page. */
export type TrustedSenderCheck = (frameUrl: string) => boolean

/**
 * Binds the contract to Electron IPC: every operation through `dispatchInvoke`, every stream
 * through `openSubscription`, so this file knows no operation by name. A message whose
 * sending frame is not the app's own page is refused before anything runs.
 * Returns a function that unbinds everything and closes open subscriptions.
 */
export function bindIpc(
  ipcMain: IpcMainLike,
  handlers: Handlers,
  producers: StreamProducers,
  isTrustedSender: TrustedSenderCheck
): () => void {
  const subscriptionsBySender = new Map<WebContents, Map<number, Subscription>>()

  const trusted = (event: IpcMainEvent | IpcMainInvokeEvent): boolean => {
    // senderFrame is null when the frame navigated away or was destroyed meanwhile.
    const url = event.senderFrame?.url
    return typeof url === 'string' && isTrustedSender(url)
  }

  const subscriptionsOf = (sender: WebContents): Map<number, Subscription> => {
    const known = subscriptionsBySender.get(sender)
    if (known !== undefined) return known
    const created = new Map<number, Subscription>()
    subscriptionsBySender.set(sender, created)
    const closeAll = (): void => {
      for (const subscription of created.values()) subscription.close()
      created.clear()
    }
    watchSenderLifetime(sender, closeAll, () => subscriptionsBySender.delete(sender))
    return created
  }

  const onInvoke = async (event: IpcMainInvokeEvent, name: unknown, input: unknown): Promise<InvokeResult<unknown>> => {
    if (!trusted(event)) return { ok: false, error: refusedSender(event) }
    return dispatchInvoke(handlers, name, input, { transport: 'ipc' })
  }

  const onSubscribe = (event: IpcMainEvent, id: unknown, name: unknown, input: unknown): void => {
    if (!isSubscriptionId(id)) return
    const sender = event.sender
    if (!trusted(event)) {
      sender.send(IPC_CHANNELS.end, id, refusedSender(event))
      return
    }
    const subscriptions = subscriptionsOf(sender)
    // The same page reusing an id means it lost track of the old stream; keep only the new one.
    subscriptions.get(id)?.close()
    subscriptions.delete(id)
    // sendEnd may run inside openSubscription, before its result is assigned.
    let ended = false
    const slot: { subscription?: Subscription } = {}
    const subscription = openSubscription(producers, name, input, {
      sendBatch: (items) => {
        if (!sender.isDestroyed()) sender.send(IPC_CHANNELS.batch, id, items)
      },
      sendEnd: (error) => {
        ended = true
        if (slot.subscription !== undefined && subscriptions.get(id) === slot.subscription) subscriptions.delete(id)
        if (!sender.isDestroyed()) sender.send(IPC_CHANNELS.end, id, error)
      }
    })
    // A stream refused at once (bad input) has already reported its end and is not kept.
    slot.subscription = subscription
    if (!ended) subscriptions.set(id, subscription)
  }

  const onAck = (event: IpcMainEvent, id: unknown): void => {
    if (!isSubscriptionId(id) || !trusted(event)) return
    subscriptionsBySender.get(event.sender)?.get(id)?.ack()
  }

  const onUnsubscribe = (event: IpcMainEvent, id: unknown): void => {
    if (!isSubscriptionId(id) || !trusted(event)) return
    const subscriptions = subscriptionsBySender.get(event.sender)
    subscriptions?.get(id)?.close()
    subscriptions?.delete(id)
  }

  const listeners: Array<[string, (event: IpcMainEvent, ...args: unknown[]) => void]> = [
    [IPC_CHANNELS.subscribe, (event, ...args) => onSubscribe(event, args[0], args[1], args[2])],
    [IPC_CHANNELS.ack, (event, ...args) => onAck(event, args[0])],
    [IPC_CHANNELS.unsubscribe, (event, ...args) => onUnsubscribe(event, args[0])]
  ]
  ipcMain.handle(IPC_CHANNELS.invoke, (event, ...args) => onInvoke(event, args[0], args[1]))
  for (const [channel, listener] of listeners) ipcMain.on(channel, listener)

  return () => {
    ipcMain.removeHandler(IPC_CHANNELS.invoke)
    for (const [channel, listener] of listeners) ipcMain.removeListener(channel, listener)
    for (const subscriptions of subscriptionsBySender.values()) {
      for (const subscription of subscriptions.values()) subscription.close()
    }
    subscriptionsBySender.clear()
  }
}

function isSubscriptionId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0
}

function refusedSender(event: IpcMainEvent | IpcMainInvokeEvent): ContractError {
  const url = event.senderFrame?.url ?? '(a frame that no longer exists)'
  return new RampartError('refused', `Refused a message from ${url}: only the Rampart window may call the app`).toContractError()
}

/**
 * Streams belong to one page: they close when its web contents are destroyed, when its
 * renderer process dies, and when the main frame loads another document (a reload), which
 * starts before the new page can subscribe again.
 */
function watchSenderLifetime(sender: WebContents, closeAll: () => void, forget: () => void): void {
  sender.once('destroyed', () => {
    closeAll()
    forget()
  })
  sender.on('render-process-gone', closeAll)
  sender.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) closeAll()
  })
}
