import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { Handlers, StreamProducers } from './contract-dispatch'
import { createAccessToken, isAccessToken } from './access-token'
import { findStaticFile } from './static-files'
import { bindWebSocket } from './websocket-binding'

export interface BrowserServerOptions {
  handlers: Handlers
  producers: StreamProducers
  /** The built renderer (out/renderer), holding index.html. */
  rendererDir: string
  /** The renderer's Content-Security-Policy, given the WebSocket origin the page must be allowed to reach. */
  contentSecurityPolicy: (options: { webSocketOrigin: string }) => string
  /** Bind address. Loopback unless the operator names another one explicitly. */
  host?: string
  /** 0 picks a free port. */
  port?: number
}

export interface BrowserServer {
  /** The address to open, token included; print it once. */
  url: string
  origin: string
  token: string
  close(): Promise<void>
}

const DEFAULT_BROWSER_HOST = '127.0.0.1'
const WEBSOCKET_PATH = '/ws'
/**
 * Answers whether a token is still this server's (204), missing (401) or refused (403): a page
 * whose socket keeps being refused asks here, so after a restart with a new token it can say so
 * instead of reconnecting forever. It serves nothing else.
 */
const SESSION_PATH = '/session'
// A contract message is small; a larger one is a mistake or an attack.
const MAX_MESSAGE_BYTES = 1024 * 1024

/**
 * Serves the renderer build and the contract over a WebSocket (docs/design.md "Browser mode").
 * Everything needs the per-start token: the page takes it from `?token=` and sets an
 * HttpOnly cookie, assets need the cookie, and the WebSocket needs the token (query or
 * cookie) and an Origin equal to the served origin. `/session` only says whether a token is
 * (still) valid.
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const host = options.host ?? DEFAULT_BROWSER_HOST
  const token = createAccessToken()
  const server = createServer()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  await listen(server, options.port ?? 0, host)
  const port = (server.address() as AddressInfo).port
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  // Cookies ignore ports; one name per port keeps two servers on one host from clobbering each other.
  const cookieName = `rampart_token_${port}`
  const headers = securityHeaders(origin, options.contentSecurityPolicy)

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    serveRequest(request, response).catch(() => {
      if (!response.headersSent) refuse(response, headers, 500, 'Internal error')
      else response.destroy()
    })
  })

  // Against DNS rebinding: a page of another site whose name now resolves to this address sends its own name.
  const servedHost = new URL(origin).host
  const hostIsServed = (request: IncomingMessage): boolean => request.headers.host?.toLowerCase() === servedHost

  async function serveRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostIsServed(request)) return refuse(response, headers, 403, 'Forbidden: wrong Host')
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(response, headers, 405, 'Method not allowed')
    const { path, query } = splitTarget(request.url)
    const cookieToken = readCookie(request.headers.cookie, cookieName)

    if (path === SESSION_PATH) {
      const presented = query.get('token') ?? cookieToken
      if (presented === null) return refuse(response, headers, 401, 'Unauthorized')
      if (!isAccessToken(presented, token)) return refuse(response, headers, 403, 'Forbidden: wrong token')
      response.writeHead(204, headers)
      response.end()
      return
    }

    if (path === '/' || path === '/index.html') {
      const queryToken = query.get('token')
      const presented = queryToken ?? cookieToken
      if (presented === null) return refuse(response, headers, 401, 'Unauthorized: open the URL with its token')
      if (!isAccessToken(presented, token)) return refuse(response, headers, 403, 'Forbidden: wrong token')
      const extra: Record<string, string> = {}
      if (queryToken !== null) extra['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`
      return sendFile(request, response, '/index.html', { ...headers, ...extra })
    }

    if (cookieToken === null) return refuse(response, headers, 401, 'Unauthorized')
    if (!isAccessToken(cookieToken, token)) return refuse(response, headers, 403, 'Forbidden: wrong token')
    return sendFile(request, response, path, headers)
  }

  async function sendFile(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    responseHeaders: Record<string, string>
  ): Promise<void> {
    const file = await findStaticFile(options.rendererDir, path)
    if (file === null) return refuse(response, headers, 404, 'Not found')
    response.writeHead(200, {
      ...responseHeaders,
      'Content-Type': file.contentType,
      'Content-Length': String(file.sizeBytes)
    })
    if (request.method === 'HEAD') {
      response.end()
      return
    }
    const stream = createReadStream(file.path)
    stream.on('error', () => response.destroy())
    stream.pipe(response)
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (!hostIsServed(request)) return refuseUpgrade(socket, 403, 'Forbidden')
    const { path, query } = splitTarget(request.url)
    if (path !== WEBSOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found')
    const presented = query.get('token') ?? readCookie(request.headers.cookie, cookieName)
    if (presented === null) return refuseUpgrade(socket, 401, 'Unauthorized')
    if (!isAccessToken(presented, token)) return refuseUpgrade(socket, 403, 'Forbidden')
    if (request.headers.origin !== origin) return refuseUpgrade(socket, 403, 'Forbidden')
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      bindWebSocket(webSocket, options.handlers, options.producers)
    })
  })

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    close: () => closeServer(server, sockets)
  }
}

function securityHeaders(
  origin: string,
  contentSecurityPolicy: BrowserServerOptions['contentSecurityPolicy']
): Record<string, string> {
  const webSocketOrigin = origin.replace(/^http/, 'ws')
  return {
    'Content-Security-Policy': contentSecurityPolicy({ webSocketOrigin }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // Everything is behind a per-start token; nothing should outlive the session in a cache.
    'Cache-Control': 'no-store'
  }
}

function refuse(response: ServerResponse, headers: Record<string, string>, status: number, reason: string): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(`${reason}\n`)
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}

// Split by hand: `new URL('//evil/x', base)` would read "evil" as a host.
function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  const text = target ?? '/'
  const mark = text.indexOf('?')
  return mark === -1
    ? { path: text, query: new URLSearchParams() }
    : { path: text.slice(0, mark), query: new URLSearchParams(text.slice(mark + 1)) }
}

function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const separator = part.indexOf('=')
    if (separator === -1) continue
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim()
  }
  return null
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeServer(server: ReturnType<typeof createServer>, sockets: WebSocketServer): Promise<void> {
  for (const client of sockets.clients) client.terminate()
  sockets.close()
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
