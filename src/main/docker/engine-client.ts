import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { createRequire, Module } from 'node:module'
import path from 'node:path'
import type Docker from 'dockerode'
import { RampartError } from '@shared/errors'
import { connectionFailure, engineMessage, isNotFound, type EngineHttpError } from './core/engine-failures'
import { connectBounded, CONNECT_TIMEOUT_MS, type DockerEndpoint } from './docker-endpoint'

// A connected engine that stops answering is not the same as a missing one; these bound how
// long an answered-but-stuck call may take before it is reported.
export const READ_DEADLINE_MS = 30_000
export const WRITE_DEADLINE_MS = 120_000

/**
 * dockerode, loaded when the first engine is made, so that commands that never talk to Docker
 * (`history`, `flags`, `rollout status`) do not pay for it.
 *
 * When it loads, dockerode requires its BuildKit session module (gRPC, protobufjs) and its modem
 * the ssh transport (ssh2): 148 of the 203 files and 1.8 of the 2.2 MB it would load, and most
 * of its load time, though they serve only image builds with a BuildKit session (which Rampart
 * never runs) and `ssh://` engines. Each of the two modules is one function; a stand-in takes its
 * place in the require cache and loads the real one on its first call.
 */
function loadDockerode(): typeof Docker {
  const require = createRequire(import.meta.url)
  const dockerodeMain = require.resolve('dockerode')
  deferUntilCalled(require, path.join(path.dirname(dockerodeMain), 'session.js'))
  const modemMain = createRequire(dockerodeMain).resolve('docker-modem')
  deferUntilCalled(require, path.join(path.dirname(modemMain), 'ssh.js'))
  return require('dockerode') as typeof Docker
}

/** Puts a stand-in for `file`, a module whose export is one function, that loads it on the first call. */
function deferUntilCalled(require: NodeJS.Require, file: string): void {
  if (require.cache[file] !== undefined) return
  let real: ((...args: unknown[]) => unknown) | null = null
  const standIn = new Module(file)
  standIn.filename = file
  standIn.loaded = true
  standIn.exports = function (this: unknown, ...args: unknown[]): unknown {
    if (real === null) {
      delete require.cache[file]
      real = require(file) as (...args: unknown[]) => unknown
    }
    return real.apply(this, args)
  }
  require.cache[file] = standIn
}

interface ModemDialOptions {
  path: string
  method: 'GET' | 'POST'
  isStream?: boolean
  hijack?: boolean
  statusCodes: Record<number, boolean | string>
  /** Query parameters (and the JSON body of a POST), or `_query` and `_body` separately. */
  options?: Record<string, unknown>
  abortSignal?: AbortSignal
}

/**
 * One endpoint's dockerode instance and its connection pool, and the one way requests go through
 * them: with a deadline, every failure turned into a RampartError that names the endpoint.
 */
export class EngineClient {
  readonly docker: Docker
  private readonly agent: HttpAgent | null

  constructor(readonly endpoint: DockerEndpoint) {
    const options: Docker.DockerOptions = { ...endpoint.options }
    // ssh brings its own agent (docker-modem dials `docker system dial-stdio` over ssh).
    this.agent =
      options.protocol === 'ssh'
        ? null
        : connectBounded(
            options.protocol === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true }),
            CONNECT_TIMEOUT_MS
          )
    if (this.agent !== null) (options as { agent?: HttpAgent }).agent = this.agent
    try {
      const Dockerode = loadDockerode()
      this.docker = new Dockerode(options)
    } catch (error) {
      throw new RampartError('bad_input', `Docker engine at ${endpoint.display}: ${(error as Error).message}`)
    }
  }

  /** Runs one engine request with a deadline, turning failures into RampartErrors. */
  async call<T>(
    what: string,
    deadlineMs: number | null,
    request: (abortSignal: AbortSignal) => Promise<T>,
    options: { alreadyDone?: boolean; name?: string } = {}
  ): Promise<T> {
    const deadline = deadlineMs === null ? new AbortController().signal : AbortSignal.timeout(deadlineMs)
    try {
      return await request(deadline)
    } catch (error) {
      if (options.alreadyDone === true && (error as EngineHttpError).statusCode === 304) return undefined as T
      if (deadline.aborted && deadlineMs !== null)
        throw this.unreachable(`it accepted the connection but did not answer "${what}" within ${deadlineMs / 1000} s`)
      if (options.name !== undefined && isNotFound(error)) throw this.noSuchContainer(options.name)
      throw this.translate(error, what)
    }
  }

  /** A raw engine request through dockerode's modem, for what dockerode's methods do not do right. */
  dial<T>(options: ModemDialOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.docker.modem.dial(options, (error, result) =>
        error === null || error === undefined ? resolve(result as T) : reject(error)
      )
    })
  }

  translate(error: unknown, what: string): unknown {
    if (error instanceof RampartError) return error
    const failure = error as EngineHttpError
    const reason = connectionFailure(failure, this.endpoint.options.socketPath, CONNECT_TIMEOUT_MS)
    if (reason !== null) return this.unreachable(reason)
    if (failure.statusCode !== undefined) {
      const engineSays = engineMessage(failure)
      if (failure.statusCode === 404)
        return Object.assign(
          new RampartError('bad_input', `Cannot ${what}: ${engineSays} (Docker engine at ${this.endpoint.display})`),
          { statusCode: 404 }
        )
      const code =
        failure.statusCode === 409
          ? 'conflict'
          : failure.statusCode >= 400 && failure.statusCode < 500
            ? 'bad_input'
            : 'failed'
      return new RampartError(
        code,
        `Cannot ${what}: ${engineSays} (Docker engine at ${this.endpoint.display}, HTTP ${failure.statusCode})`
      )
    }
    return new RampartError(
      'failed',
      `Cannot ${what} on the Docker engine at ${this.endpoint.display}: ${failure.message ?? String(error)}`
    )
  }

  unreachable(reason: string): RampartError {
    return new RampartError(
      'unreachable',
      `Docker engine at ${this.endpoint.display} is not reachable (${reason}). Is Docker running?`,
      {
        endpoint: this.endpoint.display
      }
    )
  }

  noSuchContainer(name: string): RampartError {
    return Object.assign(
      new RampartError('bad_input', `No container named "${name}" on the Docker engine at ${this.endpoint.display}`),
      { statusCode: 404 }
    )
  }

  /** Releases the connections kept for reuse. */
  close(): void {
    this.agent?.destroy()
  }

  /** Sockets currently open to the engine through the agent (streams in flight included). */
  openConnections(): number {
    if (this.agent === null) return 0
    let count = 0
    for (const sockets of Object.values(this.agent.sockets)) count += sockets?.length ?? 0
    return count
  }
}

// A function, not an inline test: TypeScript would otherwise keep `aborted` narrowed across awaits.
export function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
