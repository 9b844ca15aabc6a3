/**
 * Hostile WebSocket frames from a page that passed the token and Origin checks: each one closes
 * that socket with the close code RFC 6455 gives it, and the server, its other sockets and their
 * streams go on. The frames are written by hand to a TCP socket after a valid upgrade.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ServerMessage } from '@shared/contract/bridge'
import { tsxChildEnv } from '@test/support/tsx-child'
import { closeCode, frame } from '@test/support/websocket-frame-bytes'

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SERVER_PROCESS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'browser-server-process.ts')

let child: ChildProcess
let server: { origin: string; token: string }
let childStderr: string

/** The server in its own process, so a frame that crashed it would show as the process gone. */
beforeEach(async () => {
  childStderr = ''
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

afterEach(async () => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
})

/** A TCP socket upgraded to a WebSocket with the token and the served Origin, as the console's page does. */
async function rawUpgrade(): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const { hostname, port } = new URL(server.origin)
  const socket = connect({ host: hostname, port: Number(port) })
  let data = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', () => undefined)
  socket.write(
    `GET /ws?token=${server.token} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${server.origin}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n'
  )
  await until(() => (data.includes('\r\n\r\n') ? true : undefined))
  const end = data.indexOf('\r\n\r\n') + 4
  expect(data.subarray(0, end).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /)
  return { socket, received: () => data.subarray(end), closed }
}

async function until<T>(read: () => T | undefined, what = 'the server', timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; server process exit ${child.exitCode}, stderr: ${childStderr}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function openSocket(): Promise<{ socket: WebSocket; received: ServerMessage[] }> {
  const socket = new WebSocket(`${server.origin.replace('http:', 'ws:')}/ws?token=${server.token}`, {
    headers: { Origin: server.origin }
  })
  const received: ServerMessage[] = []
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as ServerMessage))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  return { socket, received }
}

async function invokeAnswered(id: number): Promise<void> {
  const { socket, received } = await openSocket()
  socket.send(JSON.stringify({ t: 'invoke', id, name: 'flags.list', input: { environment: 'local' } }))
  const answer = await until(() => received.find((message) => message.t === 'result' && message.id === id))
  expect(answer).toMatchObject({ t: 'result', id, result: { ok: true } })
  socket.close()
}

const TWO_MIB = 2 * 1024 * 1024

const HOSTILE_FRAMES: Array<{ what: string; bytes: () => Buffer; code: number }> = [
  {
    what: 'a 2 MiB message',
    bytes: () => frame({ opcode: 0x1, claimedLength: BigInt(TWO_MIB), payload: Buffer.alloc(64 * 1024, 0x20) }),
    code: 1009
  },
  { what: 'a 2^62 payload length', bytes: () => frame({ opcode: 0x2, claimedLength: 2n ** 62n }), code: 1009 },
  {
    what: 'invalid UTF-8 in a text frame',
    bytes: () => frame({ opcode: 0x1, payload: Buffer.from([0xc3, 0x28]) }),
    code: 1007
  },
  {
    what: 'an unmasked frame',
    bytes: () => frame({ opcode: 0x1, payload: Buffer.from('{}'), masked: false }),
    code: 1002
  },
  {
    what: 'RSV1 set without an extension',
    bytes: () => frame({ opcode: 0x1, payload: Buffer.from('{}'), rsv1: true }),
    code: 1002
  },
  { what: 'a reserved opcode', bytes: () => frame({ opcode: 0x3, payload: Buffer.from('x') }), code: 1002 },
  { what: 'close code 999', bytes: () => frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe7]) }), code: 1002 },
  {
    what: 'a fragmented ping',
    bytes: () => frame({ opcode: 0x9, payload: Buffer.from('ping'), fin: false }),
    code: 1002
  }
]

describe('hostile WebSocket frames from a logged-in page', () => {
  for (const hostile of HOSTILE_FRAMES) {
    it(`closes only that socket on ${hostile.what} (close code ${hostile.code}); the server goes on`, async () => {
      // Another page with a stream open: it must not notice.
      const other = await openSocket()
      other.socket.send(JSON.stringify({ t: 'subscribe', id: 7, name: 'history.follow', input: {} }))
      await until(() => other.received.find((message) => message.t === 'batch'))

      const raw = await rawUpgrade()
      raw.socket.write(hostile.bytes())
      // A close frame, or the connection dropped without one (the server process died).
      await Promise.race([until(() => closeCode(raw.received()) ?? undefined), raw.closed])
      expect(closeCode(raw.received()), `no close frame; the server said: ${childStderr}`).toBe(hostile.code)
      raw.socket.end()
      await raw.closed

      expect(child.exitCode, childStderr).toBeNull()
      // The other page's stream goes on: acknowledged batches keep coming.
      const batches = (): number => other.received.filter((message) => message.t === 'batch').length
      const seen = batches()
      other.socket.send(JSON.stringify({ t: 'ack', id: 7 }))
      other.socket.send(JSON.stringify({ t: 'ack', id: 7 }))
      await until(() => (batches() > seen ? true : undefined), "the other page's next batch")
      expect(other.socket.readyState).toBe(WebSocket.OPEN)
      await invokeAnswered(3)
      other.socket.close()
    })
  }
})
