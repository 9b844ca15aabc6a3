import { describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS, type RampartBridge } from '@shared/bridge'

// The preload's only dependency, by hand: what it exposes and what it sends on which channel.
const electron = vi.hoisted(() => {
  type RendererListener = (event: unknown, ...args: unknown[]) => void
  return {
    exposed: [] as Array<[string, unknown]>,
    sent: [] as Array<[string, ...unknown[]]>,
    invoked: [] as Array<[string, ...unknown[]]>,
    listeners: new Map<string, RendererListener>(),
    invokeAnswer: null as unknown
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push([key, api])
  },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      electron.invoked.push([channel, ...args])
      return electron.invokeAnswer
    },
    send: (channel: string, ...args: unknown[]) => electron.sent.push([channel, ...args]),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      electron.listeners.set(channel, listener)
    }
  }
}))

await import('@preload/index')
const bridge = electron.exposed[0]?.[1] as RampartBridge

function fromMain(channel: string, ...args: unknown[]): void {
  electron.listeners.get(channel)?.({}, ...args)
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('preload', () => {
  it('exposes only `rampart`, with exactly invoke and subscribe', () => {
    expect(electron.exposed.map(([key]) => key)).toEqual(['rampart'])
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe'])
    expect(typeof bridge.invoke).toBe('function')
    expect(typeof bridge.subscribe).toBe('function')
  })

  it('forwards invoke on the invoke channel and returns main’s answer as is', async () => {
    electron.invokeAnswer = { ok: true, value: [{ flag: 'unified_llm_hub' }] }
    const result = await bridge.invoke('flags.list', { environment: 'local' })
    expect(electron.invoked.at(-1)).toEqual([IPC_CHANNELS.invoke, 'flags.list', { environment: 'local' }])
    expect(result).toEqual(electron.invokeAnswer)
  })

  it('acknowledges a batch only after onBatch has settled', async () => {
    const handled: unknown[][] = []
    let release: () => void = () => undefined
    bridge.subscribe(
      'history.follow',
      {},
      {
        onBatch: (items) =>
          new Promise<void>((resolve) => {
            handled.push(items)
            release = resolve
          })
      }
    )
    const subscribeMessage = electron.sent.filter(([channel]) => channel === IPC_CHANNELS.subscribe).at(-1)
    expect(subscribeMessage?.slice(2)).toEqual(['history.follow', {}])
    const id = subscribeMessage?.[1]
    const acks = () => electron.sent.filter(([channel, sentId]) => channel === IPC_CHANNELS.ack && sentId === id)

    fromMain(IPC_CHANNELS.batch, id, [1, 2])
    await settle()
    expect(handled).toEqual([[1, 2]])
    expect(acks()).toEqual([])

    release()
    await settle()
    expect(acks()).toEqual([[IPC_CHANNELS.ack, id]])
  })

  it('reports the end only after the batch before it was handled', async () => {
    const ends: unknown[] = []
    let release: () => void = () => undefined
    bridge.subscribe(
      'history.follow',
      {},
      {
        onBatch: () =>
          new Promise<void>((resolve) => {
            release = resolve
          }),
        onEnd: (error) => ends.push(error)
      }
    )
    const id = electron.sent.filter(([channel]) => channel === IPC_CHANNELS.subscribe).at(-1)?.[1]
    fromMain(IPC_CHANNELS.batch, id, [1])
    fromMain(IPC_CHANNELS.end, id, null)
    await settle()
    expect(ends).toEqual([])

    release()
    await settle()
    expect(ends).toEqual([null])
  })

  it('unsubscribes once and stops handing over batches', async () => {
    const handled: unknown[][] = []
    const unsubscribe = bridge.subscribe('history.follow', {}, { onBatch: (items) => void handled.push(items) })
    const id = electron.sent.filter(([channel]) => channel === IPC_CHANNELS.subscribe).at(-1)?.[1]
    unsubscribe()
    unsubscribe()
    fromMain(IPC_CHANNELS.batch, id, [1])
    await settle()
    expect(electron.sent.filter(([channel, sentId]) => channel === IPC_CHANNELS.unsubscribe && sentId === id)).toHaveLength(1)
    expect(handled).toEqual([])
  })
})
