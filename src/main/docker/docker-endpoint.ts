import { existsSync, readFileSync } from 'node:fs'
import type { Agent as HttpAgent, ClientRequestArgs } from 'node:http'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type Docker from 'dockerode'
import { RampartError } from '@shared/errors'

/** How long connecting to the engine may take (socket connect or ssh handshake) before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 2_000

/** Where the engine is, resolved from an explicit host, DOCKER_HOST, or the default socket. */
export interface DockerEndpoint {
  /** For messages: unix:///var/run/docker.sock, tcp://build-host.example:2375, ssh://deploy@build-01 */
  display: string
  options: Docker.DockerOptions
}

export interface DockerConnectOptions {
  /** Where DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and SSH_AUTH_SOCK are read; process.env by default. */
  env?: NodeJS.ProcessEnv
}

export function resolveDockerEndpoint(host: string | undefined, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const chosen = host ?? (env.DOCKER_HOST !== undefined && env.DOCKER_HOST !== '' ? env.DOCKER_HOST : undefined)
  const source = host !== undefined ? 'the Docker host' : 'DOCKER_HOST'
  if (chosen === undefined) {
    // Docker Desktop's per-user socket first, as the docker CLI does.
    const userSocket = join(homedir(), '.docker', 'run', 'docker.sock')
    return socketEndpoint(existsSync(userSocket) ? userSocket : '/var/run/docker.sock')
  }
  if (chosen.startsWith('/')) return socketEndpoint(chosen)
  if (chosen.startsWith('unix://') || chosen.startsWith('npipe://')) {
    const path = chosen.slice(chosen.indexOf('://') + 3)
    if (path === '') throw new RampartError('bad_input', `${source} "${chosen}" names no socket path`)
    return socketEndpoint(path)
  }
  let url: URL
  try {
    url = new URL(chosen)
  } catch {
    throw new RampartError(
      'bad_input',
      `${source} "${chosen}" is not a socket path or a unix://, tcp:// or ssh:// address`
    )
  }
  if (url.protocol === 'tcp:') {
    if (url.hostname === '')
      throw new RampartError('bad_input', `${source} "${chosen}" names no host (tcp://HOST:PORT)`)
    // Without a port, the docker CLI's defaults: 2376 with TLS, 2375 without.
    const port = url.port !== '' ? url.port : env.DOCKER_TLS_VERIFY === '1' ? '2376' : '2375'
    const tls = env.DOCKER_TLS_VERIFY === '1' || port === '2376'
    const certDir = env.DOCKER_CERT_PATH
    const options: Docker.DockerOptions = {
      host: url.hostname,
      port: Number(port),
      protocol: tls ? 'https' : 'http',
      socketPath: undefined
    }
    if (tls && certDir !== undefined && certDir !== '') {
      try {
        options.ca = readFileSync(join(certDir, 'ca.pem'))
        options.cert = readFileSync(join(certDir, 'cert.pem'))
        options.key = readFileSync(join(certDir, 'key.pem'))
      } catch (error) {
        throw new RampartError(
          'bad_input',
          `DOCKER_CERT_PATH=${certDir}: cannot read the TLS files (${(error as Error).message})`
        )
      }
    }
    return { display: `${tls ? 'tcp+tls' : 'tcp'}://${url.hostname}:${port}`, options }
  }
  if (url.protocol === 'ssh:') {
    if (url.hostname === '') throw new RampartError('bad_input', `${source} "${chosen}" needs a host (ssh://USER@HOST)`)
    const username = decodeURIComponent(url.username) || env.USER || undefined
    return {
      display: `ssh://${url.username === '' ? '' : `${url.username}@`}${url.host}`,
      options: {
        protocol: 'ssh',
        host: url.hostname,
        port: url.port === '' ? 22 : Number(url.port),
        username,
        socketPath: undefined,
        // readyTimeout bounds the ssh handshake the way the agent bounds a plain connect.
        sshOptions: { agent: env.SSH_AUTH_SOCK, readyTimeout: CONNECT_TIMEOUT_MS }
      } as Docker.DockerOptions
    }
  }
  throw new RampartError(
    'bad_input',
    `${source} "${chosen}" uses ${url.protocol}//, which is not one of unix://, tcp:// or ssh://`
  )
}

function socketEndpoint(path: string): DockerEndpoint {
  // host/port set to undefined explicitly: docker-modem would otherwise take them from DOCKER_HOST.
  return {
    display: `unix://${path}`,
    options: { socketPath: path, host: undefined, port: undefined, protocol: 'http' }
  }
}

/** An agent whose sockets give up when they have not connected within `timeoutMs`. */
export function connectBounded<A extends HttpAgent>(agent: A, timeoutMs: number): A {
  const create = agent.createConnection.bind(agent)
  agent.createConnection = (options: ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void) => {
    const socket = create(options, callback)
    if (socket === null || socket === undefined) return socket
    const timer = setTimeout(() => {
      const error = new Error(`no connection within ${timeoutMs / 1000} s`) as NodeJS.ErrnoException
      error.code = 'ERR_RAMPART_CONNECT_TIMEOUT'
      socket.destroy(error)
    }, timeoutMs)
    socket.once('connect', () => clearTimeout(timer))
    socket.once('secureConnect', () => clearTimeout(timer))
    socket.once('close', () => clearTimeout(timer))
    return socket
  }
  return agent
}
