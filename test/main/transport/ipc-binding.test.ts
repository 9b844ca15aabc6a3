import { describe, expect, it } from 'vitest'
import type { IpcMainEvent } from 'electron'
import { IPC_CHANNELS, type ClientMessage, type InvokeResult, type ServerMessage } from '@shared/contract/bridge'
import type { StreamProducers, StreamSink } from '@main/transport/contract-dispatch'
import { bindIpc, type IpcMainLike } from '@main/transport/ipc-binding'
import { controlledStream, recordingHandlers } from '@test/fixtures/recording-handlers'

const APP_URL = 'file:///opt/rampart/out/renderer/index.html'
// Every web contents here stands for the app window (reloads, two pages); the window check has its own test.
const APP_PAGE = { isAppContents: () => true, isAppUrl: (url: string) => url === APP_URL }

type Listener = (event: IpcMainEvent, ...args: unknown[]) => void

/** ipcMain as the binding sees it: channels and their listeners, nothing more. */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, Listener>()
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, listener)
    return this
  }
  removeListener(channel: string): this {
    this.listeners.delete(channel)
    return this
  }
}

/** A renderer's web contents: records what main sends it, and can navigate, crash or be destroyed. */
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
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.lifetimeListeners.get(event) ?? []) listener(...args)
  }
  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
  }
  /** Everything main sent, in order: all of it on the one channel. */
  messages(): ServerMessage[] {
    return this.sent.map(({ channel, args }) => {
      expect(channel).toBe(IPC_CHANNELS.message)
      expect(args).toHaveLength(1)
      return args[0] as ServerMessage
    })
  }
  messagesOf(type: ServerMessage['t']): ServerMessage[] {
    return this.messages().filter((message) => message.t === type)
  }
}

function eventFrom(contents: FakeWebContents, frameUrl: string | null): IpcMainEvent {
  return { sender: contents, senderFrame: frameUrl === null ? null : { url: frameUrl } } as unknown as IpcMainEvent
}

function bind(calls: string[] = [], producers = controlledStream().producers) {
  const ipcMain = new FakeIpcMain()
  const unbind = bindIpc(ipcMain, recordingHandlers(calls), producers, APP_PAGE)
  const send = (event: IpcMainEvent, message: unknown) => ipcMain.listeners.get(IPC_CHANNELS.message)!(event, message)
  let nextId = 1000
  /** One invoke as the preload sends it, answered by main's result message. */
  const invoke = async (event: IpcMainEvent, name: unknown, input: unknown): Promise<InvokeResult<unknown>> => {
    const id = nextId++
    send(event, { t: 'invoke', id, name, input })
    const contents = event.sender as unknown as FakeWebContents
    for (;;) {
      const answer = contents.messages().find((message) => message.t === 'result' && message.id === id)
      if (answer?.t === 'result') return answer.result
      await settle()
    }
  }
  return { ipcMain, invoke, send, unbind }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

/** `history.follow` producers that wait for their subscriber to go away, recording each signal. */
function abortableStreams(): { producers: StreamProducers; signals: AbortSignal[] } {
  const signals: AbortSignal[] = []
  const producers = {
    'history.follow': async (_input: unknown, sink: StreamSink<unknown>) => {
      signals.push(sink.signal)
      await new Promise<void>((resolve) => sink.signal.addEventListener('abort', () => resolve()))
    }
  } as unknown as StreamProducers
  return { producers, signals }
}

const SUBSCRIBE = (id: number, input: unknown = {}): ClientMessage => ({
  t: 'subscribe',
  id,
  name: 'history.follow',
  input
})

describe('bindIpc', () => {
  it('listens on exactly the one contract channel, and unbinding stops listening', () => {
    const { ipcMain, unbind } = bind()
    expect([...ipcMain.listeners.keys()]).toEqual([IPC_CHANNELS.message])
    unbind()
    expect([...ipcMain.listeners.keys()]).toEqual([])
  })

  it('runs a valid invoke from the app page and returns its value', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), APP_URL), 'flags.get', { flag: 'unified_llm_hub' })
    expect(result).toEqual({ ok: true, value: { name: 'flags.get', input: { flag: 'unified_llm_hub' } } })
    expect(calls).toEqual(['flags.get'])
  })

  it('answers on the message channel with the id of the invoke', async () => {
    const { send } = bind()
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), { t: 'invoke', id: 41, name: 'flags.list', input: { environment: 'local' } })
    await settle()
    expect(contents.sent).toEqual([
      {
        channel: IPC_CHANNELS.message,
        args: [
          { t: 'result', id: 41, result: { ok: true, value: { name: 'flags.list', input: { environment: 'local' } } } }
        ]
      }
    ])
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
    expect(!result.ok && result.error.message).toBe(
      'Refused a message from https://evil.example/: only the Rampart window may call the app'
    )
    expect(calls).toEqual([])
  })

  it('refuses an invoke whose sending frame is gone', async () => {
    const calls: string[] = []
    const { invoke } = bind(calls)
    const result = await invoke(eventFrom(new FakeWebContents(), null), 'flags.list', {})
    expect(!result.ok && result.error.code).toBe('refused')
    expect(!result.ok && result.error.message).toContain('(a frame that no longer exists)')
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
    expect(!result.ok && result.error).toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('shell.exec')
    })
  })

  it('drops a message that is not a ClientMessage and keeps serving the page', async () => {
    const calls: string[] = []
    const { send, invoke } = bind(calls)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    for (const message of [
      undefined,
      'flags.list',
      { t: 'invoke', name: 'flags.list' },
      { t: 'subscribe', id: -1, name: 'history.follow' }
    ]) {
      send(event, message)
    }
    await settle()
    expect(contents.sent).toEqual([])
    expect(calls).toEqual([])
    expect(await invoke(event, 'flags.list', {})).toMatchObject({ ok: true })
  })

  it('refuses a subscription from an untrusted frame and never starts the stream', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, 'https://evil.example/'), SUBSCRIBE(1))
    await settle()
    expect(stream.started()).toBe(false)
    expect(contents.messages()).toEqual([
      {
        t: 'end',
        id: 1,
        error: {
          code: 'refused',
          message: 'Refused a message from https://evil.example/: only the Rampart window may call the app'
        }
      }
    ])
  })

  it('ends a subscription with malformed input with bad_input naming the field', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), SUBSCRIBE(7, { afterSeq: -3 }))
    await settle()
    expect(stream.started()).toBe(false)
    const [end] = contents.messagesOf('end')
    expect(end).toMatchObject({
      t: 'end',
      id: 7,
      error: { code: 'bad_input', message: expect.stringContaining('afterSeq') }
    })
  })

  it('delivers stream batches only as they are acknowledged', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    send(event, SUBSCRIBE(3))
    await settle()
    for (const item of [1, 2, 3, 4]) stream.push(item)
    await settle()
    // Two batches may be in flight; the rest waits for an acknowledgement.
    expect(contents.messagesOf('batch')).toEqual([
      { t: 'batch', id: 3, items: [1] },
      { t: 'batch', id: 3, items: [2] }
    ])

    send(event, { t: 'ack', id: 3 })
    expect(contents.messagesOf('batch')).toEqual([
      { t: 'batch', id: 3, items: [1] },
      { t: 'batch', id: 3, items: [2] },
      { t: 'batch', id: 3, items: [3, 4] }
    ])
  })

  it('ignores acknowledgements and unsubscriptions from an untrusted frame', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), SUBSCRIBE(3))
    await settle()
    for (const item of [1, 2, 3]) stream.push(item)
    send(eventFrom(contents, 'https://evil.example/'), { t: 'ack', id: 3 })
    send(eventFrom(contents, 'https://evil.example/'), { t: 'unsubscribe', id: 3 })
    expect(contents.messagesOf('batch')).toHaveLength(2)
    expect(stream.aborted()).toBe(false)
  })

  it('sends the end after the last batch when the stream finishes', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), SUBSCRIBE(5))
    await settle()
    stream.push(1)
    stream.finish()
    await settle()
    expect(contents.messages()).toEqual([
      { t: 'batch', id: 5, items: [1] },
      { t: 'end', id: 5, error: null }
    ])
  })

  it('stops the stream when the page unsubscribes', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    send(event, SUBSCRIBE(9))
    await settle()
    for (const item of [1, 2, 3]) stream.push(item)
    send(event, { t: 'unsubscribe', id: 9 })
    send(event, { t: 'ack', id: 9 })
    expect(contents.messagesOf('batch')).toHaveLength(2)
    expect(stream.aborted()).toBe(true)
  })

  it('keeps the streams of two pages apart', async () => {
    const { producers, signals } = abortableStreams()
    const { send } = bind([], producers)
    const first = new FakeWebContents()
    const second = new FakeWebContents()
    send(eventFrom(first, APP_URL), SUBSCRIBE(1))
    send(eventFrom(second, APP_URL), SUBSCRIBE(1))
    send(eventFrom(second, APP_URL), { t: 'unsubscribe', id: 1 })
    expect(signals.map((signal) => signal.aborted)).toEqual([false, true])
    first.destroy()
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
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
    send(eventFrom(contents, APP_URL), SUBSCRIBE(1))
    await settle()
    contents.destroy()
    await settle()
    expect(aborted).toBe(true)
  })

  it('closes a page’s streams when its renderer process dies', () => {
    const { producers, signals } = abortableStreams()
    const { send } = bind([], producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), SUBSCRIBE(1))
    send(eventFrom(contents, APP_URL), SUBSCRIBE(2))
    contents.emit('render-process-gone', {}, { reason: 'crashed' })
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
  })

  it('closes a page’s streams when its main frame loads another document, and serves the new page afresh', async () => {
    const { producers, signals } = abortableStreams()
    const { send } = bind([], producers)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    send(event, SUBSCRIBE(1))
    // A navigation inside the document or in a subframe keeps the page.
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true })
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false })
    expect(signals.map((signal) => signal.aborted)).toEqual([false])

    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    expect(signals.map((signal) => signal.aborted)).toEqual([true])

    // The reloaded page starts its ids again; its stream 1 is a new one.
    send(event, SUBSCRIBE(1))
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false])
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
  })

  it('does not hand the reloaded page the answer to a call the old page made', async () => {
    let release: () => void = () => undefined
    const ipcMain = new FakeIpcMain()
    const handlers = {
      ...recordingHandlers([]),
      'history.verify': () => new Promise((resolve) => (release = () => resolve('verified')))
    } as unknown as Parameters<typeof bindIpc>[1]
    bindIpc(ipcMain, handlers, controlledStream().producers, APP_PAGE)
    const contents = new FakeWebContents()
    const event = eventFrom(contents, APP_URL)
    ipcMain.listeners.get(IPC_CHANNELS.message)!(event, { t: 'invoke', id: 1, name: 'history.verify', input: {} })
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    release()
    await settle()
    expect(contents.sent).toEqual([])
  })

  it('closes every page’s streams when unbound', () => {
    const { producers, signals } = abortableStreams()
    const { send, unbind } = bind([], producers)
    send(eventFrom(new FakeWebContents(), APP_URL), SUBSCRIBE(1))
    send(eventFrom(new FakeWebContents(), APP_URL), SUBSCRIBE(1))
    unbind()
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true])
  })

  it('sends nothing to web contents that are already destroyed', async () => {
    const stream = controlledStream()
    const { send } = bind([], stream.producers)
    const contents = new FakeWebContents()
    send(eventFrom(contents, APP_URL), SUBSCRIBE(1))
    send(eventFrom(contents, APP_URL), { t: 'invoke', id: 2, name: 'flags.list', input: {} })
    // Destroyed without the event yet: the flag alone must keep main from sending.
    ;(contents as unknown as { destroyed: boolean }).destroyed = true
    stream.push(1)
    await settle()
    expect(contents.sent).toEqual([])
  })
})
