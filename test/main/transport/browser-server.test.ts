import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ServerMessage } from '@shared/contract/bridge'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'
import { startBrowserServer, type BrowserServer } from '@main/transport/browser-server'
import { controlledStream, recordingHandlers, type ControlledStream } from '@test/fixtures/recording-handlers'

const SECRET_TEXT = 'top secret outside the renderer folder'

let root: string
let rendererDir: string
let server: BrowserServer
let calls: string[]
let stream: ControlledStream

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rampart-browser-server-'))
  rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Rampart</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")')
  writeFileSync(join(root, 'secret.txt'), SECRET_TEXT)
  symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'assets', 'linked-secret.txt'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

async function start(): Promise<void> {
  calls = []
  stream = controlledStream()
  server = await startBrowserServer({
    handlers: recordingHandlers(calls),
    producers: stream.producers,
    rendererDir,
    contentSecurityPolicy
  })
}

afterEach(async () => {
  await server?.close()
})

interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * A raw GET: the path goes on the wire exactly as written, `..` and all. No pooled connection, so
 * a request after a restart on the same port does not ride a socket the old server closed.
 */
function get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const { hostname, port } = new URL(server.origin)
  return new Promise((resolve, reject) => {
    const call = request({ host: hostname, port, path, method: 'GET', headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    call.on('error', reject)
    call.end()
  })
}

async function sessionCookie(): Promise<string> {
  const answer = await get(`/?token=${server.token}`)
  const cookie = [answer.headers['set-cookie'] ?? []].flat()[0]
  if (cookie === undefined) throw new Error('the page set no cookie')
  return cookie.split(';')[0]!
}

function socketUrl(query = `?token=${server.token}`): string {
  return `${server.origin.replace('http:', 'ws:')}/ws${query}`
}

/** Opens a WebSocket; resolves with the open socket or the HTTP status the upgrade was refused with. */
function connect(url: string, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    socket.once('open', () => resolve(socket))
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.once('error', (error) => reject(error))
  })
}

async function openSocket(headers: Record<string, string> = { Origin: server.origin }): Promise<WebSocket> {
  const socket = await connect(socketUrl(), headers)
  if (typeof socket === 'number') throw new Error(`the upgrade was refused with ${socket}`)
  return socket
}

/** Collects every message the server sends on `socket`. */
function messages(socket: WebSocket): ServerMessage[] {
  const received: ServerMessage[] = []
  socket.on('message', (data) => received.push(JSON.parse(String(data)) as ServerMessage))
  return received
}

async function until<T>(read: () => T | undefined): Promise<T> {
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('startBrowserServer', () => {
  it('binds to 127.0.0.1 by default and hands out a URL carrying a token of at least 128 bits', async () => {
    await start()
    expect(new URL(server.origin).hostname).toBe('127.0.0.1')
    expect(server.url).toBe(`${server.origin}/?token=${server.token}`)
    expect(Buffer.from(server.token, 'base64url').length * 8).toBeGreaterThanOrEqual(128)
  })

  it('draws a new token on every start', async () => {
    await start()
    const first = server.token
    await server.close()
    await start()
    expect(server.token).not.toBe(first)
  })

  it('refuses the page without a token with 401 and a short reason only', async () => {
    await start()
    const answer = await get('/')
    expect(answer.status).toBe(401)
    expect(answer.body.length).toBeLessThan(80)
    expect(answer.body).not.toContain('Rampart</title>')
  })

  it('refuses the page with a wrong token', async () => {
    await start()
    const answer = await get(`/?token=${'A'.repeat(43)}`)
    expect([401, 403]).toContain(answer.status)
    expect(answer.body).not.toContain('Rampart</title>')
  })

  it('serves the page with the token, sets an HttpOnly SameSite=Strict cookie and the security headers', async () => {
    await start()
    const answer = await get(`/?token=${server.token}`)
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('Rampart</title>')
    const cookie = [answer.headers['set-cookie'] ?? []].flat()[0] ?? ''
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\//)
    expect(answer.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(answer.headers['content-security-policy']).toMatch(/script-src 'self'/)
    expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(answer.headers['content-security-policy']).toContain(
      `connect-src 'self' ${server.origin.replace('http:', 'ws:')}`
    )
    expect(answer.headers['x-content-type-options']).toBe('nosniff')
    expect(answer.headers['referrer-policy']).toBe('no-referrer')
    expect(answer.headers['cache-control']).toBe('no-store')
  })

  it('serves the page again from the cookie alone, as after a reload', async () => {
    await start()
    const answer = await get('/', { Cookie: await sessionCookie() })
    expect(answer.status).toBe(200)
  })

  it('serves assets only with the cookie, not with the token in the query', async () => {
    await start()
    expect((await get('/assets/app.js')).status).toBe(401)
    expect((await get(`/assets/app.js?token=${server.token}`)).status).toBe(401)
    const withCookie = await get('/assets/app.js', { Cookie: await sessionCookie() })
    expect(withCookie.status).toBe(200)
    expect(withCookie.headers['content-type']).toMatch(/^text\/javascript/)
    expect(withCookie.body).toBe('console.log("app")')
  })

  it('refuses assets with a cookie holding a wrong token', async () => {
    await start()
    const name = (await sessionCookie()).split('=')[0]
    const answer = await get('/assets/app.js', { Cookie: `${name}=${'B'.repeat(43)}` })
    expect([401, 403]).toContain(answer.status)
  })

  it(
    'answers /session with 204 for the token or its cookie, ' + '401 without one and 403 for a token of another start',
    async () => {
      await start()
      expect((await get(`/session?token=${server.token}`)).status).toBe(204)
      expect((await get('/session', { Cookie: await sessionCookie() })).status).toBe(204)
      expect((await get('/session')).status).toBe(401)
      const previous = server.token
      const port = new URL(server.origin).port
      await server.close()
      server = await startBrowserServer({
        handlers: recordingHandlers(calls),
        producers: stream.producers,
        rendererDir,
        contentSecurityPolicy,
        port: Number(port)
      })
      // The same address after a restart: the page's token and cookie are from the previous start.
      const stale = await get(`/session?token=${previous}`, { Cookie: `rampart_token_${port}=${previous}` })
      expect(stale.status).toBe(403)
      expect(stale.body).not.toContain(server.token)
    }
  )

  it('never serves a file outside the renderer folder', async () => {
    await start()
    const cookie = await sessionCookie()
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/linked-secret.txt',
      '//secret.txt',
      '/assets/%00app.js'
    ]) {
      const answer = await get(path, { Cookie: cookie })
      expect(answer.status, path).not.toBe(200)
      expect(answer.body, path).not.toContain(SECRET_TEXT)
    }
  })

  it('refuses the WebSocket without a token with 401', async () => {
    await start()
    expect(await connect(socketUrl(''), { Origin: server.origin })).toBe(401)
  })

  it('refuses the WebSocket with a wrong token', async () => {
    await start()
    const status = await connect(socketUrl(`?token=${'C'.repeat(43)}`), { Origin: server.origin })
    expect([401, 403]).toContain(status)
  })

  it('refuses the WebSocket with the right token from another origin, or with no origin, with 403', async () => {
    await start()
    expect(await connect(socketUrl(), { Origin: 'http://evil.example' })).toBe(403)
    expect(await connect(socketUrl(), { Origin: server.origin.replace('127.0.0.1', 'localhost') })).toBe(403)
    expect(await connect(socketUrl(), {})).toBe(403)
  })

  it('refuses a page or an asset whose Host is another name (DNS rebinding) with 403', async () => {
    await start()
    const { port } = new URL(server.origin)
    const cookie = await sessionCookie()
    for (const host of [`evil.example:${port}`, `localhost:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`]) {
      expect((await get(`/?token=${server.token}`, { Host: host })).status, host).toBe(403)
      const asset = await get('/assets/app.js', { Host: host, Cookie: cookie })
      expect(asset.status, host).toBe(403)
      expect(asset.body, host).not.toContain('console.log')
    }
    expect((await get(`/?token=${server.token}`, { Host: `127.0.0.1:${port}` })).status).toBe(200)
  })

  it('refuses the WebSocket upgrade whose Host is another name with 403, token and Origin right', async () => {
    await start()
    const { port } = new URL(server.origin)
    expect(await connect(socketUrl(), { Origin: server.origin, Host: `rebound.example:${port}` })).toBe(403)
    expect(calls).toEqual([])
  })

  it('runs an invoke over the WebSocket and returns the handler’s answer', async () => {
    await start()
    const socket = await openSocket()
    const received = messages(socket)
    socket.send(JSON.stringify({ t: 'invoke', id: 1, name: 'flags.list', input: { environment: 'local' } }))
    const answer = await until(() => received.find((message) => message.t === 'result' && message.id === 1))
    expect(answer).toEqual({
      t: 'result',
      id: 1,
      result: { ok: true, value: { name: 'flags.list', input: { environment: 'local' } } }
    })
    expect(calls).toEqual(['flags.list'])
    socket.close()
  })

  it('accepts the WebSocket with the cookie instead of the query token', async () => {
    await start()
    const socket = await connect(socketUrl(''), { Origin: server.origin, Cookie: await sessionCookie() })
    expect(socket).toBeInstanceOf(WebSocket)
    ;(socket as WebSocket).close()
  })

  it('answers malformed input with bad_input naming the field, without running the handler', async () => {
    await start()
    const socket = await openSocket()
    const received = messages(socket)
    socket.send(
      JSON.stringify({
        t: 'invoke',
        id: 2,
        name: 'rollout.move',
        input: { flag: 'unified_llm_hub', move: 'jump', reason: 'x' }
      })
    )
    const answer = await until(() => received.find((message) => message.t === 'result' && message.id === 2))
    expect(answer.t === 'result' && answer.result).toMatchObject({
      ok: false,
      error: { code: 'bad_input', message: expect.stringMatching(/\bmove\b/) }
    })
    expect(calls).toEqual([])
    socket.close()
  })

  it('closes the connection on a message that is not a contract message', async () => {
    await start()
    const socket = await openSocket()
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    socket.send('{"t":"invoke","name":"flags.list"}')
    expect(await closed).toBe(1008)
  })

  it('closes the connection on a binary frame or a frame that is not JSON, and runs nothing', async () => {
    await start()
    for (const frame of [
      Buffer.from(JSON.stringify({ t: 'invoke', id: 1, name: 'flags.list', input: {} })),
      '{"t":"invoke",'
    ]) {
      const socket = await openSocket()
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
      socket.send(frame, { binary: typeof frame !== 'string' })
      expect(await closed).toBe(1008)
    }
    expect(calls).toEqual([])
  })

  it('closes the streams of a socket when it closes', async () => {
    await start()
    const socket = await openSocket()
    socket.send(JSON.stringify({ t: 'subscribe', id: 1, name: 'history.follow', input: {} }))
    await until(() => (stream.started() ? true : undefined))
    expect(stream.aborted()).toBe(false)
    socket.close()
    await until(() => (stream.aborted() ? true : undefined))
  })

  it('delivers stream batches over the WebSocket only as they are acknowledged', async () => {
    await start()
    const socket = await openSocket()
    const received = messages(socket)
    socket.send(JSON.stringify({ t: 'subscribe', id: 4, name: 'history.follow', input: {} }))
    await until(() => (stream.started() ? true : undefined))
    for (const item of [1, 2, 3, 4]) stream.push(item)
    await until(() => (received.length >= 2 ? true : undefined))
    // A round trip that is answered proves the server had its chance to send more batches.
    socket.send(JSON.stringify({ t: 'invoke', id: 5, name: 'history.verify', input: {} }))
    await until(() => received.find((message) => message.t === 'result'))
    expect(received.filter((message) => message.t === 'batch')).toEqual([
      { t: 'batch', id: 4, items: [1] },
      { t: 'batch', id: 4, items: [2] }
    ])

    socket.send(JSON.stringify({ t: 'ack', id: 4 }))
    const third = await until(() => received.filter((message) => message.t === 'batch')[2])
    expect(third).toEqual({ t: 'batch', id: 4, items: [3, 4] })
    socket.close()
  })
})
