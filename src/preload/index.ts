import { contextBridge, ipcRenderer } from 'electron'
import { IPC_CHANNELS, type InvokeResult, type RampartBridge, type StreamHandlers } from '../shared/bridge'
import type { ContractError } from '../shared/errors'

/**
 * The only door between the renderer and main: `invoke` and `subscribe`, nothing else.
 * Sandboxed, so this file may require only 'electron'; from src/shared it takes the
 * channel names and types.
 */

interface OpenStream {
  handlers: StreamHandlers<unknown>
  /** Batches are handed over one at a time, in order; each is acknowledged once it settled. */
  queue: Promise<void>
}

const streams = new Map<number, OpenStream>()
let nextStreamId = 1

ipcRenderer.on(IPC_CHANNELS.batch, (_event, id: number, items: unknown[]) => {
  const stream = streams.get(id)
  if (stream === undefined) return
  stream.queue = stream.queue
    .then(() => stream.handlers.onBatch(items))
    .catch(() => undefined)
    .then(() => {
      if (streams.get(id) === stream) ipcRenderer.send(IPC_CHANNELS.ack, id)
    })
})

ipcRenderer.on(IPC_CHANNELS.end, (_event, id: number, error: ContractError | null) => {
  const stream = streams.get(id)
  if (stream === undefined) return
  streams.delete(id)
  // The end follows the last batch; let that batch be handled first.
  void stream.queue.then(() => stream.handlers.onEnd?.(error))
})

async function invoke(name: string, input: unknown): Promise<InvokeResult<unknown>> {
  try {
    return (await ipcRenderer.invoke(IPC_CHANNELS.invoke, name, input)) as InvokeResult<unknown>
  } catch (error) {
    // Only a broken channel gets here: main answers every call with a result, never a throw.
    const message = error instanceof Error ? error.message : String(error)
    return { ok: false, error: { code: 'failed', message: `The app did not answer ${name}: ${message}` } }
  }
}

function subscribe(name: string, input: unknown, handlers: StreamHandlers<unknown>): () => void {
  const id = nextStreamId
  nextStreamId += 1
  streams.set(id, { handlers, queue: Promise.resolve() })
  ipcRenderer.send(IPC_CHANNELS.subscribe, id, name, input)
  return () => {
    if (streams.delete(id)) ipcRenderer.send(IPC_CHANNELS.unsubscribe, id)
  }
}

const bridge = { invoke, subscribe } as RampartBridge

contextBridge.exposeInMainWorld('rampart', bridge)
