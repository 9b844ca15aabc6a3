import { describe, expect, it, vi } from 'vitest'
import { IPC_CHANNELS, type ClientMessage, type RampartBridge, type ServerMessage } from '@shared/contract/bridge'

// The preload's only dependency, by hand: what it exposes and what it sends on which channel.
const electron = vi.hoisted(() => {
  type RendererListener = (event: unknown, ...args: unknown[]) => void
  return {
    exposed: [] as Array<[string, unknown]>,
    sent: [] as Array<[string, ...unknown[]]>,
    listeners: new Map<string, RendererListener[]>(),
    /** Set to make the next sends fail as ipcRenderer.send does on a value it cannot clone. */
    sendFailure: null as Error | null
  }
})

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push([key, api])
  },
  ipcRenderer: {
    send: (channel: string, ...args: unknown[]) => {
      if (electron.sendFailure !== null) throw electron.sendFailure
      electron.sent.push([channel, ...args])
    },
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      electron.listeners.set(channel, [...(electron.listeners.get(channel) ?? []), listener])
    }
  }
}))

await import('@preload/index')
const bridge = electron.exposed[0]?.[1] as RampartBridge

function fromMain(message: ServerMessage): void {
  for (const listener of electron.listeners.get(IPC_CHANNELS.message) ?? []) listener({}, message)
}

/** What the preload sent to main: every message on the one channel, one message per send. */
function sentMessages(): ClientMessage[] {
  return electron.sent.map(([channel, ...args]) => {
    expect(channel).toBe(IPC_CHANNELS.message)
    expect(args).toHaveLength(1)
    return args[0] as ClientMessage
  })
}

function lastSent(type: ClientMessage['t']): ClientMessage | undefined {
  return sentMessages()
    .filter((message) => message.t === type)
    .at(-1)
}

function acksOf(id: number | undefined): ClientMessage[] {
  return sentMessages().filter((message) => message.t === 'ack' && message.id === id)
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('preload', () => {
  it('exposes only `rampart`, with exactly invoke and subscribe', () => {
    expect(electron.exposed.map(([key]) => key)).toEqual(['rampart'])
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe'])
    expect(typeof bridge.invoke).toBe('function')
    expect(typeof bridge.subscribe).toBe('function')
  })

  it('listens to main on the one message channel only', () => {
    expect([...electron.listeners.keys()]).toEqual([IPC_CHANNELS.message])
    expect(electron.listeners.get(IPC_CHANNELS.message)).toHaveLength(1)
  })

  it('forwards invoke as an invoke message and returns main’s answer as is', async () => {
    const answer = { ok: true as const, value: [{ flag: 'unified_llm_hub' }] }
    const pending = bridge.invoke('flags.list', { environment: 'local' })
    const message = lastSent('invoke')
    expect(message).toEqual({
      t: 'invoke',
      id: expect.any(Number),
      name: 'flags.list',
      input: { environment: 'local' }
    })
    fromMain({ t: 'result', id: message!.id, result: answer })
    expect(await pending).toEqual(answer)
  })

  it('answers an invoke whose input cannot be sent with a failed result naming the operation', async () => {
    electron.sendFailure = new Error('An object could not be cloned.')
    try {
      const result = await bridge.invoke('flags.list', { environment: 'local' })
      expect(result).toEqual({ ok: false, error: { code: 'failed', message: expect.stringContaining('flags.list') } })
      expect(!result.ok && result.error.message).toContain('An object could not be cloned.')
    } finally {
      electron.sendFailure = null
    }
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
    const subscribeMessage = lastSent('subscribe')
    expect(subscribeMessage).toEqual({ t: 'subscribe', id: expect.any(Number), name: 'history.follow', input: {} })
    const id = subscribeMessage!.id

    fromMain({ t: 'batch', id, items: [1, 2] })
    await settle()
    expect(handled).toEqual([[1, 2]])
    expect(acksOf(id)).toEqual([])

    release()
    await settle()
    expect(acksOf(id)).toEqual([{ t: 'ack', id }])
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
    const id = lastSent('subscribe')!.id
    fromMain({ t: 'batch', id, items: [1] })
    fromMain({ t: 'end', id, error: null })
    await settle()
    expect(ends).toEqual([])

    release()
    await settle()
    expect(ends).toEqual([null])
  })

  it('unsubscribes once and stops handing over batches', async () => {
    const handled: unknown[][] = []
    const unsubscribe = bridge.subscribe('history.follow', {}, { onBatch: (items) => void handled.push(items) })
    const id = lastSent('subscribe')!.id
    unsubscribe()
    unsubscribe()
    fromMain({ t: 'batch', id, items: [1] })
    await settle()
    expect(sentMessages().filter((message) => message.t === 'unsubscribe' && message.id === id)).toHaveLength(1)
    expect(handled).toEqual([])
  })
})
