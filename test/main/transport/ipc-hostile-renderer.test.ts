/**
 * A hostile renderer against the app's IPC, as the app wires it (src/main/electron/main.ts:
 * the real app context, workspace, env file and history file; only the `electron` module is a
 * stand-in). Messages from anything but the app window's top frame showing the app page are
 * refused and run nothing; bad input from the app page is refused naming the problem; nothing
 * crashes, nothing reaches a prototype, and the page is served afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { IpcMainEvent } from 'electron'
import { IPC_CHANNELS, type InvokeResult, type ServerMessage } from '@shared/contract/bridge'

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown
  class FakeWebContents {
    readonly sent: unknown[] = []
    readonly session = {
      webRequest: { onHeadersReceived: () => undefined },
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined
    }
    send(_channel: string, message: unknown): void {
      this.sent.push(message)
    }
    isDestroyed(): boolean {
      return false
    }
    on(): this {
      return this
    }
    once(): this {
      return this
    }
    setWindowOpenHandler(): void {}
  }
  const state = {
    ipcListeners: new Map<string, Listener>(),
    appListeners: new Map<string, Listener>(),
    loadedUrls: [] as string[],
    windows: [] as Array<{ webContents: FakeWebContents }>,
    ready: null as null | (() => void),
    FakeWebContents
  }
  return state
})

vi.mock('electron', () => {
  const ready = new Promise<void>((resolve) => (electron.ready = resolve))
  class BrowserWindow {
    readonly webContents = new electron.FakeWebContents()
    constructor() {
      electron.windows.push(this)
    }
    once(): void {}
    loadURL(url: string): Promise<void> {
      electron.loadedUrls.push(url)
      return Promise.resolve()
    }
    static getAllWindows(): BrowserWindow[] {
      return electron.windows as BrowserWindow[]
    }
  }
  return {
    app: {
      enableSandbox: () => undefined,
      requestSingleInstanceLock: () => true,
      on: (event: string, listener: (...args: unknown[]) => unknown) => electron.appListeners.set(event, listener),
      whenReady: () => ready,
      isPackaged: false,
      exit: () => undefined,
      quit: () => undefined
    },
    BrowserWindow,
    dialog: { showErrorBox: (title: string, message: string) => electron.loadedUrls.push(`error:${title}:${message}`) },
    ipcMain: {
      on: (channel: string, listener: (...args: unknown[]) => unknown) => electron.ipcListeners.set(channel, listener),
      removeListener: (channel: string) => electron.ipcListeners.delete(channel)
    },
    shell: { openExternal: () => Promise.resolve() },
    Notification: class {
      static isSupported(): boolean {
        return false
      }
    }
  }
})

type FakeWebContents = InstanceType<typeof electron.FakeWebContents>

let dir: string
let envFile: string
let envBefore: Buffer
let window: { webContents: FakeWebContents }
let appUrl: string
let nextId = 1

const MOVE_KINDS = ['phase_move', 'enable', 'rollback', 'kill', 'refused', 'flag_change', 'runbook']
const KILL = { flag: 'unified_llm_hub', move: 'kill', reason: 'hostile page' }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-hostile-ipc-'))
  envFile = join(dir, '.env')
  // Enabled at 25 %: a kill that ran would change this file.
  writeFileSync(envFile, 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=25\n')
  envBefore = readFileSync(envFile)
  writeFileSync(
    join(dir, 'rampart.config.yaml'),
    [
      'environments:',
      '  local:',
      '    service: { container: rampart-hostile-ipc-never-started }',
      '    flag_source: { kind: env-file, path: ./.env }',
      '    flags: [unified_llm_hub]',
      // The supervision may watch the enabled flag; on a trip it only alerts, it never moves it.
      '    guards: { action: alert }',
      ''
    ].join('\n')
  )
  process.env.RAMPART_HOME = join(dir, 'home')
  process.env.RAMPART_WORKSPACE = join(dir, 'rampart.config.yaml')
  delete process.env.ELECTRON_RENDERER_URL
  await import('@main/electron/main')
  electron.ready!()
  await until(() => (electron.ipcListeners.has(IPC_CHANNELS.message) ? true : undefined))
  window = electron.windows[0]!
  appUrl = electron.loadedUrls[0]!
}, 60_000)

afterAll(() => {
  electron.appListeners.get('will-quit')?.()
  rmSync(dir, { recursive: true, force: true })
})

async function until<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out; loaded: ${electron.loadedUrls.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

interface Sender {
  contents: FakeWebContents
  frame: { url: string; parent: unknown } | null
}

function appPage(): Sender {
  return { contents: window.webContents, frame: { url: appUrl, parent: null } }
}

/** Sends one raw message as the renderer would, from the given sender. */
function send(sender: Sender, message: unknown): void {
  const event = { sender: sender.contents, senderFrame: sender.frame } as unknown as IpcMainEvent
  electron.ipcListeners.get(IPC_CHANNELS.message)!(event, message)
}

async function invoke(sender: Sender, name: unknown, input: unknown): Promise<InvokeResult<unknown>> {
  const id = nextId++
  send(sender, { t: 'invoke', id, name, input })
  const answer = await until(() =>
    (sender.contents.sent as ServerMessage[]).find((message) => message.t === 'result' && message.id === id)
  )
  return (answer as Extract<ServerMessage, { t: 'result' }>).result
}

async function expectNothingChanged(): Promise<void> {
  expect(readFileSync(envFile).equals(envBefore)).toBe(true)
  const history = await invoke(appPage(), 'history.list', {})
  expect(history.ok).toBe(true)
  const moves = (history as { value: Array<{ kind: string }> }).value.filter((event) => MOVE_KINDS.includes(event.kind))
  expect(moves).toEqual([])
  expect(Object.prototype).not.toHaveProperty('polluted')
}

describe('a hostile renderer against the app’s IPC', () => {
  it('serves the app window’s own page', async () => {
    const result = await invoke(appPage(), 'flags.get', { flag: 'unified_llm_hub' })
    expect(result).toMatchObject({ ok: true, value: { flag: 'unified_llm_hub', state: { rollout_percentage: 25 } } })
  })

  const HOSTILE_SENDERS: Array<{ what: string; sender: () => Sender; named: string }> = [
    {
      what: 'the app window showing another site',
      sender: () => ({ contents: window.webContents, frame: { url: 'https://evil.example/', parent: null } }),
      named: 'https://evil.example/'
    },
    {
      what: 'another web contents showing the app page',
      sender: () => ({ contents: new electron.FakeWebContents(), frame: { url: appUrl, parent: null } }),
      named: 'another window or view'
    },
    {
      what: 'a subframe of the app window showing the app page',
      sender: () => ({ contents: window.webContents, frame: { url: appUrl, parent: { url: appUrl } } }),
      named: 'a subframe'
    },
    {
      what: 'a frame that no longer exists',
      sender: () => ({ contents: window.webContents, frame: null }),
      named: 'a frame that no longer exists'
    },
    {
      what: 'a file:// page at another path',
      sender: () => ({ contents: window.webContents, frame: { url: 'file:///tmp/evil/index.html', parent: null } }),
      named: 'file:///tmp/evil/index.html'
    }
  ]

  for (const hostile of HOSTILE_SENDERS) {
    it(`refuses a kill from ${hostile.what}, and runs nothing`, async () => {
      const result = await invoke(hostile.sender(), 'rollout.move', KILL)
      expect(result).toMatchObject({ ok: false, error: { code: 'refused' } })
      expect(!result.ok && result.error.message).toContain(hostile.named)
      await expectNothingChanged()
    })
  }

  const BAD_INPUTS: Array<{ what: string; input: unknown; named: RegExp }> = [
    { what: 'a number for the reason', input: { ...KILL, reason: 42 }, named: /reason/ },
    { what: 'an unknown move', input: { ...KILL, move: 'set', percentage: 100 }, named: /move/ },
    { what: 'an extra field', input: { ...KILL, force: true }, named: /force/ },
    {
      what: 'a __proto__ key',
      input: JSON.parse('{"flag":"unified_llm_hub","move":"kill","reason":"x","__proto__":{"polluted":true}}'),
      named: /__proto__/
    },
    {
      what: 'a constructor.prototype key',
      input: { ...KILL, constructor: { prototype: { polluted: true } } },
      named: /constructor/
    },
    { what: 'a 10 MB reason', input: { ...KILL, reason: 'r'.repeat(10 * 1024 * 1024) }, named: /reason/ },
    { what: 'a 1 MB flag name', input: { ...KILL, flag: 'f'.repeat(1024 * 1024) }, named: /flag/ },
    { what: 'an array for the input', input: [KILL], named: /object|array/i },
    { what: 'a flag name with a path in it', input: { ...KILL, flag: '../../etc/passwd' }, named: /flag/ }
  ]

  for (const bad of BAD_INPUTS) {
    it(`refuses ${bad.what} from the app page with bad_input naming it, and runs nothing`, async () => {
      const result = await invoke(appPage(), 'rollout.move', bad.input)
      expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } })
      expect(!result.ok && result.error.message).toMatch(bad.named)
      await expectNothingChanged()
    })
  }

  it('drops envelopes that are not messages, then keeps serving the page', async () => {
    const before = window.webContents.sent.length
    for (const message of [
      undefined,
      null,
      'rollout.move',
      { t: 'invoke', id: -1, name: 'rollout.move', input: KILL },
      { t: 'invoke', id: 1.5, name: 'rollout.move', input: KILL },
      { t: 'invoke', id: 7, name: { toString: 'rollout.move' }, input: KILL },
      JSON.parse('{"__proto__":{"t":"invoke"},"id":8,"name":"rollout.move"}')
    ]) {
      send(appPage(), message)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(window.webContents.sent.length).toBe(before)
    await expectNothingChanged()
    expect(await invoke(appPage(), 'flags.get', { flag: 'unified_llm_hub' })).toMatchObject({ ok: true })
  })
})
