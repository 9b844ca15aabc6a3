/**
 * Generated messages and frames into the contract server on a logged-in WebSocket, the server in
 * its own process (`rampart serve` as the browser-mode fixture runs it): every call gets its
 * answer or its error, anything that is not a ClientMessage closes that socket with 1008, any
 * frame at all ends at worst in a protocol close code, and the server answers afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ServerMessage } from '@shared/contract/bridge'
import { contract, isOperationName, isStreamName, streams } from '@shared/contract/contract'
import { tsxChildEnv } from '@test/support/tsx-child'
import { closeCode, frame } from '@test/support/websocket-frame-bytes'

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SERVER_PROCESS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'browser-server-process.ts')
const ERROR_CODES = ['bad_input', 'conflict', 'refused', 'unreachable', 'failed']
const PROTOCOL_CLOSE_CODES = [1000, 1002, 1007, 1008, 1009]

let child: ChildProcess
let server: { origin: string; token: string }
let childStderr = ''

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', SERVER_PROCESS], {
    cwd: PROJECT_ROOT,
    env: tsxChildEnv(),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (childStderr += chunk))
  server = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as typeof server))
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}: ${childStderr}`)))
  })
}, 30_000)

afterAll(async () => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
})

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; server exit ${child.exitCode}, stderr: ${childStderr}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

interface Page {
  socket: WebSocket
  received: ServerMessage[]
  closeCode: () => number | null
}

async function openPage(): Promise<Page> {
  const socket = new WebSocket(`${server.origin.replace('http:', 'ws:')}/ws?token=${server.token}`, {
    headers: { Origin: server.origin }
  })
  const received: ServerMessage[] = []
  let code: number | null = null
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as ServerMessage))
  socket.on('close', (closed) => (code = closed))
  socket.on('error', () => undefined)
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  return { socket, received, closeCode: () => code }
}

async function serverStillAnswers(): Promise<void> {
  expect(child.exitCode, childStderr).toBeNull()
  const page = await openPage()
  page.socket.send(JSON.stringify({ t: 'invoke', id: 1, name: 'flags.list', input: {} }))
  const answer = await until(() => page.received.find((message) => message.t === 'result'), 'an answer')
  expect(answer).toMatchObject({ t: 'result', id: 1, result: { ok: true } })
  page.socket.close()
}

// ---- messages: what is sent, and what the page must get back ------------------------------------

type Sent =
  | { kind: 'call'; t: 'invoke' | 'subscribe'; name: string; input: unknown }
  | { kind: 'quiet'; t: 'ack' | 'unsubscribe'; id: number }
  | { kind: 'malformed'; text: string | Buffer }

const operationName = fc.oneof(
  fc.constantFrom(...Object.keys(contract), ...Object.keys(streams)),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')
)
const input = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant({ flag: 'unified_llm_hub' }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"flag":"unified_llm_hub"}') as unknown)
)
const call = fc.record({
  kind: fc.constant('call' as const),
  t: fc.constantFrom('invoke' as const, 'subscribe' as const),
  name: operationName,
  input
})
const quiet = fc.record({
  kind: fc.constant('quiet' as const),
  t: fc.constantFrom('ack' as const, 'unsubscribe' as const),
  id: fc.nat()
})
const malformed = fc
  .oneof(
    fc.string({ maxLength: 40 }).filter((text) => !isJson(text)),
    fc
      .jsonValue()
      .filter((value) => typeof value !== 'object' || value === null || !('t' in value))
      .map(String),
    fc
      .jsonValue()
      .map((value) => JSON.stringify(value))
      .filter((text) => !text.includes('"t"')),
    fc
      .record({
        t: fc.constantFrom('invoke', 'subscribe', 'ack', 'unsubscribe', 'result', ''),
        id: fc.oneof(fc.constant(-1), fc.constant(1.5), fc.constant('7'), fc.constant(2 ** 53), fc.constant(null))
      })
      .map((value) => JSON.stringify(value)),
    fc.constant(JSON.stringify({ t: 'invoke', id: 3, name: 42 })),
    fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes))
  )
  .map((text): Sent => ({ kind: 'malformed', text }))

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const conversation = fc.tuple(
  fc.array(fc.oneof({ weight: 4, arbitrary: call }, { weight: 1, arbitrary: quiet }), { maxLength: 6 }),
  fc.option(malformed, { nil: undefined })
)

/** Whether the contract would run the call: a known name and an input its schema takes. */
function runs(message: Extract<Sent, { kind: 'call' }>): boolean {
  if (message.t === 'invoke')
    return isOperationName(message.name) && contract[message.name].input.safeParse(message.input ?? {}).success
  return isStreamName(message.name) && streams[message.name].input.safeParse(message.input ?? {}).success
}

describe('generated messages on a logged-in WebSocket', () => {
  it('answers every call with its result or an error, closes on anything else with 1008, and goes on', async () => {
    await fc.assert(
      fc.asyncProperty(conversation, async ([messages, last]) => {
        const page = await openPage()
        let id = 100
        for (const message of messages) {
          if (message.kind === 'quiet') {
            page.socket.send(JSON.stringify({ t: message.t, id: message.id }))
            continue
          }
          if (message.kind !== 'call') continue
          const callId = id++
          page.socket.send(JSON.stringify({ t: message.t, id: callId, name: message.name, input: message.input }))
          const answer = await until(
            () => page.received.find((received) => received.id === callId),
            `the answer to ${message.t} ${message.name}`
          )
          if (message.t === 'invoke') {
            expect(answer.t).toBe('result')
            const result = (answer as Extract<ServerMessage, { t: 'result' }>).result
            expect(result.ok).toBe(runs(message))
            if (!result.ok) expect(ERROR_CODES).toContain(result.error.code)
          } else {
            // A stream that runs sends batches (the fixture's history.follow) or ends with an error (no producer).
            if (!runs(message)) expect(answer).toMatchObject({ t: 'end', error: { code: 'bad_input' } })
            page.socket.send(JSON.stringify({ t: 'unsubscribe', id: callId }))
          }
        }
        if (last?.kind === 'malformed') {
          page.socket.send(last.text, { binary: Buffer.isBuffer(last.text) })
          expect(await until(() => page.closeCode() ?? undefined, 'the close')).toBe(1008)
        } else {
          page.socket.close()
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      { numRuns: 60 }
    )
    await serverStillAnswers()
  }, 120_000)
})

// ---- frames: any bytes after the upgrade -------------------------------------------------------

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null'))
)
const generatedFrame = fc
  .record({
    opcode: fc.integer({ min: 0, max: 15 }),
    payload,
    fin: fc.boolean(),
    rsv1: fc.boolean(),
    masked: fc.boolean(),
    claimedLength: fc.option(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), { nil: undefined })
  })
  .map((options) => frame(options))
const wire = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: generatedFrame },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }).map((bytes) => Buffer.from(bytes)) }
  ),
  { minLength: 1, maxLength: 5 }
)

/** After a valid upgrade: writes the bytes, ends the connection, and returns what the server sent. */
async function writeAfterUpgrade(bytes: Buffer): Promise<Buffer> {
  const { hostname, port } = new URL(server.origin)
  const socket = connect({ host: hostname, port: Number(port) })
  let data = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])))
  socket.on('error', () => undefined)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  socket.write(
    `GET /ws?token=${server.token} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${server.origin}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n'
  )
  await until(() => (data.includes('\r\n\r\n') ? true : undefined), 'the upgrade')
  const headerEnd = data.indexOf('\r\n\r\n') + 4
  expect(data.subarray(0, headerEnd).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /)
  socket.end(bytes)
  await closed
  return data.subarray(headerEnd)
}

/** The close code among the server's frames (unmasked, so easy to walk), or null without one. */
function serverCloseCode(bytes: Buffer): number | null {
  let at = 0
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f
    let length = bytes[at + 1]! & 0x7f
    let start = at + 2
    if (length === 126) [length, start] = [bytes.readUInt16BE(at + 2), at + 4]
    else if (length === 127) [length, start] = [Number(bytes.readBigUInt64BE(at + 2)), at + 10]
    if (opcode === 0x8) return closeCode(bytes.subarray(at, start + length)) ?? (length === 0 ? 1000 : null)
    at = start + length
  }
  return null
}

describe('generated frames after a valid upgrade', () => {
  it('end at worst in a protocol close code on that socket, and the server goes on', async () => {
    await fc.assert(
      fc.asyncProperty(wire, async (frames) => {
        const answered = await writeAfterUpgrade(Buffer.concat(frames))
        const code = serverCloseCode(answered)
        if (code !== null) expect(PROTOCOL_CLOSE_CODES).toContain(code)
        expect(child.exitCode, childStderr).toBeNull()
      }),
      { numRuns: 80 }
    )
    await serverStillAnswers()
  }, 120_000)
})
