import { describe, expect, it } from 'vitest'
import type { IpcMainEvent, IpcMainInvokeEvent } from 'electron'
import { IPC_CHANNELS, type InvokeResult } from '@shared/bridge'
import type { StreamProducers, StreamSink } from '@main/transport/contract-dispatch'
import { bindIpc, type IpcMainLike } from '@main/transport/ipc-binding'
import { controlledStream, recordingHandlers } from '@test/fixtures/recording-handlers'

const APP_URL = 'file:///opt/rampart/out/renderer/index.html'

type Listener = (event: IpcMainEvent, ...args: unknown[]) => void
type InvokeListener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown

/** ipcMain as the binding sees it: channels and their listeners, nothing more. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeListener>()
  readonly listeners = new Map<string, Listener>()
  handle(channel: string, listener: InvokeListener): void {
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, listener)
    return this
  }
  removeListener(channel: string): this {
    this.listeners.delete(channel)
    return this
  }
}

/** A renderer's web contents: records what main sends it, and can be destroyed. */
class FakeWebContents {
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  private readonly lifetimeListeners = new Map<string, Array<(...args: unknown[]) => void>>()
  private destroyed = false
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.lifetimeListeners.set(event, [...(this.lifetimeListeners.get(event) ?? []), listener])
    return this
  }
  once(event: string, listener: (...args: unknown[]) => void): this {
    return this.on(event, listener)
  }
  destroy(): void {
    this.destroyed = true
    for (const listener of this.lifetimeListeners.get('destroyed') ?? []) listener()
  }
  sentOn(channel: string): unknown[][] {
    return this.sent.filter((message) => message.channel === channel).map((message) => message.args)
  }
}

function eventFrom(contents: FakeWebContents, frameUrl: string | null): IpcMainEvent {
  return { sender: contents, senderFrame: frameUrl === null ? null : { url: frameUrl } } as unknown as IpcMainEvent
}

function bind(calls: string[] = [], producers = controlledStream().producers) {
  const ipcMain = new FakeIpcMain()
  bindIpc(ipcMain, recordingHandlers(calls), producers, (url) => url === APP_URL)
  const invoke = async (event: IpcMainEvent, name: unknown, input: unknown) =>
    (await ipcMain.handlers.get(IPC_CHANNELS.invoke)!(event as unknown as IpcMainInvokeEvent, name, input)) as InvokeResult<unknown>
  const send = (channel: string, event: IpcMainEvent, ...args: unknown[]) => ipcMain.listeners.get(channel)!(event, ...args)
  return { ipcMain, invoke, send }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('bindIpc', () => {
  it('binds exactly the contract channels', () => {
    const { ipcMain } = bind()
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CHANNELS.invoke])
    expect([...ipcMain.listeners.keys()].sort()).toEqual(
      [IPC_CHANNELS.subscribe, IPC_CHANNELS.ack, IPC_CHANNELS.unsubscribe].sort()
    )
  })

  it('runs a valid invoke from the app page and returns its value', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), APP_URL), 'flags.get', { flag: 'unified_llm_hub' })
    expect(result).toEqual({ ok: true, value: { name: 'flags.get', input: { flag: 'unified_llm_hub' } } })
    expect(calls).toEqual(['flags.get'])
  })

  it('refuses an invoke from a frame that is not the app page, and runs nothing', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), 'https://evil.example/'), 'rollout.move', {
      flag: 'unified_llm_hub',
      move: 'kill',
      reason: 'x'
    })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error.code).toBe('refused')
    expect(!result.ok && result.error.message).toContain('https://evil.example/')
    expect(calls).toEqual([])
  })

  it('refuses an invoke whose sending frame is gone', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), null), 'flags.list', {})
    expect(!result.ok && result.error.code).toBe('refused')
    expect(calls).toEqual([])
  })

  it('answers malformed input with bad_input naming the field, without running the handler', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), APP_URL), 'flags.evaluate', {
      flag: 'unified_llm_hub',
      user: 42
    })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error.code).toBe('bad_input')
    expect(!result.ok && result.error.message).toMatch(/\buser\b/)
    expect(calls).toEqual([])
  })

  it('answers an unknown operation with bad_input naming it', async () => {
    const { invoke } = bind()
    const result = await invoke(eventFrom(new FakeWebContents(), APP_URL), 'shell.exec', {})
    expect(!result.ok && result.error).toMatchObject({ code: 'bad_input', message: expect.stringContaining('shell.exec') })
  })

  it('refuses a subscription from an untrusted frame and never starts the stream', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(IPC_CHANNELS.subscribe, eventFrom(contents, 'https://evil.example/'), 1, 'history.follow', {})
    await settle()
    expect(stream.started()).toBe(false)
    const [end] = contents.sentOn(IPC_CHANNELS.end)
    expect(end?.[0]).toBe(1)
    expect(end?.[1]).toMatchObject({ code: 'refused' })
  })

  it('ends a subscription with malformed input with bad_input naming the field', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(IPC_CHANNELS.subscribe, eventFrom(contents, APP_URL), 7, 'history.follow', { afterSeq: -3 })
    await settle()
    expect(stream.started()).toBe(false)
    const [end] = contents.sentOn(IPC_CHANNELS.end)
    expect(end?.[0]).toBe(7)
    expect(end?.[1]).toMatchObject({ code: 'bad_input', message: expect.stringContaining('afterSeq') })
  })

  it('delivers stream batches only as they are acknowledged', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    send(IPC_CHANNELS.subscribe, event, 3, 'history.follow', {})
    await settle()
    for (const item of [1, 2, 3, 4]) stream.push(item)
    await settle()
    // Two batches may be in flight; the rest waits for an acknowledgement.
    expect(contents.sentOn(IPC_CHANNELS.batch)).toEqual([
      [3, [1]],
      [3, [2]]
    ])

    send(IPC_CHANNELS.ack, event, 3)
    expect(contents.sentOn(IPC_CHANNELS.batch)).toEqual([
      [3, [1]],
      [3, [2]],
      [3, [3, 4]]
    ])
  })

  it('ignores acknowledgements from an untrusted frame', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(IPC_CHANNELS.subscribe, eventFrom(contents, APP_URL), 3, 'history.follow', {})
    await settle()
    for (const item of [1, 2, 3]) stream.push(item)
    send(IPC_CHANNELS.ack, eventFrom(contents, 'https://evil.example/'), 3)
    expect(contents.sentOn(IPC_CHANNELS.batch)).toHaveLength(2)
  })

  it('sends the end after the last batch when the stream finishes', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(IPC_CHANNELS.subscribe, eventFrom(contents, APP_URL), 5, 'history.follow', {})
    await settle()
    stream.push(1)
    stream.finish()
    await settle()
    expect(contents.sent.map((message) => [message.channel, ...message.args])).toEqual([
      [IPC_CHANNELS.batch, 5, [1]],
      [IPC_CHANNELS.end, 5, null]
    ])
  })

  it('stops the stream when the page unsubscribes', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    send(IPC_CHANNELS.subscribe, event, 9, 'history.follow', {})
    await settle()
    for (const item of [1, 2, 3]) stream.push(item)
    send(IPC_CHANNELS.unsubscribe, event, 9)
    send(IPC_CHANNELS.ack, event, 9)
    expect(contents.sentOn(IPC_CHANNELS.batch)).toHaveLength(2)
  })

  it('closes the subscriptions of web contents that are destroyed', async () => {
    let aborted = false
    const producers = {
      'history.follow': async (_input: unknown, sink: StreamSink<unknown>) => {
        await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve()))
        aborted = true
      }
    } as unknown as StreamProducers
    const { send } = bind([], producers)
    const contents = new FakeWebContents()
    send(IPC_CHANNELS.subscribe, eventFrom(contents, APP_URL), 1, 'history.follow', {})
    await settle()
    contents.destroy()
    await settle()
    expect(aborted).toBe(true)
  })
})
