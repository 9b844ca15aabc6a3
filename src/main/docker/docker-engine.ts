import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { createRequire } from 'node:module'
import type { Duplex, Readable, Writable } from 'node:stream'
import type Docker from 'dockerode'
import { RampartError } from '@shared/errors'
import type { LogLine } from '@shared/log-line'
import { healthFromStatus, type ContainerInfo, type ContainerState, type ContainerSummary } from './core/container-info'
import { containerLikeBody } from './core/container-like-body'
import { containerCreateBody, type ContainerSpec } from './core/container-spec'
import { FrameDemuxer } from './core/docker-log-frames'
import { connectionFailure, engineMessage, isNotFound, type EngineHttpError } from './core/engine-failures'
import { logBytesDecoder, logLineDecoder, type LogBytes, type LogChunkDecoder } from './core/log-chunk-decoders'
import { PullProgressTracker, type PullEvent, type PullProgress } from './core/pull-progress'
import { checkContainerRef, checkImageRef, checkStopTimeout } from './core/request-arguments'
import { connectBounded, CONNECT_TIMEOUT_MS, resolveDockerEndpoint, type DockerConnectOptions, type DockerEndpoint } from './docker-endpoint'

/**
 * dockerode, loaded when the first engine is made: it brings ssh2 and gRPC (about 100 ms), which
 * commands that never talk to Docker (`history`, `flags`, `rollout status`) should not pay for.
 */
function loadDockerode(): typeof Docker {
  return createRequire(import.meta.url)('dockerode') as typeof Docker
}

/**
 * The Docker engine, over dockerode: one instance per endpoint (socket, tcp:// or ssh://),
 * created once and passed to the services. Every call turns "engine gone" into
 * RampartError('unreachable') within CONNECT_TIMEOUT_MS: a socket that does not connect in
 * time is destroyed by the agent, and ssh has its handshake bounded the same way.
 * Nothing is recorded in history here; the services do that.
 */

export interface LogOptions {
  follow?: boolean
  /** Lines from the end; all when omitted. */
  tail?: number
  since?: Date
  timestamps?: boolean
  /** Stops the stream and closes its connection; the iteration then simply ends. */
  signal?: AbortSignal
}

export interface ExecOptions {
  env?: Record<string, string>
  /** Fed to the command's stdin, which is then closed. */
  stdin?: Readable | Uint8Array | string
  /** Receives stdout as it comes (with backpressure) instead of it being collected; not ended here. */
  stdout?: Writable
  user?: string
  workingDir?: string
  signal?: AbortSignal
}

export interface ExecResult {
  exitCode: number
  /** Collected stdout, or '' when it was streamed to `options.stdout`. */
  stdout: string
  stderr: string
  stdoutBytes: number
}

const PING_TIMEOUT_MS = 2_000
// A connected engine that stops answering is not the same as a missing one; these bound how
// long an answered-but-stuck call may take before it is reported.
const READ_DEADLINE_MS = 30_000
const WRITE_DEADLINE_MS = 120_000
const STOP_MARGIN_MS = 30_000
const EXEC_EXIT_POLLS = 50
const EXEC_EXIT_POLL_MS = 20

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

export class DockerEngine {
  private readonly docker: Docker
  private readonly agent: HttpAgent | null

  private constructor(readonly endpoint: DockerEndpoint) {
    const options: Docker.DockerOptions = { ...endpoint.options }
    // ssh brings its own agent (docker-modem dials `docker system dial-stdio` over ssh).
    this.agent =
      options.protocol === 'ssh'
        ? null
        : connectBounded(options.protocol === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true }), CONNECT_TIMEOUT_MS)
    if (this.agent !== null) (options as { agent?: HttpAgent }).agent = this.agent
    try {
      const Dockerode = loadDockerode()
      this.docker = new Dockerode(options)
    } catch (error) {
      throw new RampartError('bad_input', `Docker engine at ${endpoint.display}: ${(error as Error).message}`)
    }
  }

  /**
   * An engine handle without any I/O: for holders that outlive the engine (the app), every call
   * still fails within CONNECT_TIMEOUT_MS while it is gone. `host` as in the workspace's
   * docker.host; without it DOCKER_HOST, then the default socket.
   */
  static forHost(host?: string, options: DockerConnectOptions = {}): DockerEngine {
    return new DockerEngine(resolveDockerEndpoint(host, options.env))
  }

  /** The same, then a ping: resolves with a working engine or fails with 'unreachable' within 2 s. */
  static async connect(host?: string, options: DockerConnectOptions = {}): Promise<DockerEngine> {
    const engine = DockerEngine.forHost(host, options)
    try {
      await engine.ping()
    } catch (error) {
      engine.close()
      throw error
    }
    return engine
  }

  /** Answers within PING_TIMEOUT_MS or fails with 'unreachable'. */
  async ping(): Promise<void> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    // The race is the guarantee; the abort releases the socket. Both, because an ssh handshake
    // does not listen to the signal.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(this.unreachable(`no answer within ${PING_TIMEOUT_MS / 1000} s`))
      }, PING_TIMEOUT_MS)
    })
    try {
      await Promise.race([deadline, (this.docker.ping as (options: object) => Promise<unknown>)({ abortSignal: controller.signal })])
    } catch (error) {
      throw this.translate(error, 'ping')
    } finally {
      clearTimeout(timer)
    }
  }

  /** Containers, running or not; `label` filters as `docker ps --filter label=…` ("key" or "key=value"). */
  async listContainers(filter: { label?: string | string[] } = {}): Promise<ContainerSummary[]> {
    const labels = filter.label === undefined ? [] : Array.isArray(filter.label) ? filter.label : [filter.label]
    const query: Docker.ContainerListOptions = { all: true }
    if (labels.length > 0) query.filters = { label: labels }
    const list = await this.call('list containers', READ_DEADLINE_MS, (abortSignal) => this.docker.listContainers({ ...query, abortSignal }))
    return list.map((item) => ({
      id: item.Id,
      name: (item.Names[0] ?? item.Id).replace(/^\//, ''),
      image: item.Image,
      state: item.State as ContainerState,
      health: healthFromStatus(item.Status),
      labels: item.Labels ?? {}
    }))
  }

  /** The container, or null when there is none by that name or id. */
  async inspectContainer(name: string): Promise<ContainerInfo | null> {
    checkContainerRef(name)
    try {
      const info = await this.call(`inspect container ${name}`, READ_DEADLINE_MS, (abortSignal) => this.docker.getContainer(name).inspect({ abortSignal } as object))
      const health = info.State.Health?.Status
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        image: info.Config.Image,
        state: info.State.Status as ContainerState,
        health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : null,
        labels: info.Config.Labels ?? {},
        tty: info.Config.Tty,
        startedAt: info.State.StartedAt === undefined || info.State.StartedAt.startsWith('0001-') ? null : info.State.StartedAt,
        exitCode: info.State.ExitCode
      }
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
  }

  /** Starting a running container is not an error. */
  async startContainer(name: string): Promise<void> {
    checkContainerRef(name)
    await this.call(`start container ${name}`, WRITE_DEADLINE_MS, (abortSignal) => this.docker.getContainer(name).start({ abortSignal }), { alreadyDone: true, name })
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds`; stopping a stopped container is not an error. */
  async stopContainer(name: string, options: { timeoutSeconds: number }): Promise<void> {
    checkContainerRef(name)
    checkStopTimeout(options.timeoutSeconds)
    await this.call(
      `stop container ${name}`,
      options.timeoutSeconds * 1000 + STOP_MARGIN_MS,
      (abortSignal) => this.docker.getContainer(name).stop({ t: options.timeoutSeconds, abortSignal }),
      { alreadyDone: true, name }
    )
  }

  async restartContainer(name: string, options: { timeoutSeconds: number }): Promise<void> {
    checkContainerRef(name)
    checkStopTimeout(options.timeoutSeconds)
    await this.call(
      `restart container ${name}`,
      options.timeoutSeconds * 1000 + STOP_MARGIN_MS,
      (abortSignal) => this.docker.getContainer(name).restart({ t: options.timeoutSeconds, abortSignal }),
      { name }
    )
  }

  /** Returns false when there was no such container. `force` removes a running one. */
  async removeContainer(name: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<boolean> {
    checkContainerRef(name)
    try {
      await this.call(`remove container ${name}`, WRITE_DEADLINE_MS, (abortSignal) =>
        this.docker.getContainer(name).remove({ force: options.force === true, v: options.volumes === true, abortSignal })
      )
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  /** Creates (does not start) the container; returns its id. */
  async createContainer(spec: ContainerSpec): Promise<string> {
    const body = containerCreateBody(spec)
    // Query and body kept apart: dockerode would also copy the body (Env, secrets included) into the URL.
    const created = await this.call(`create container ${spec.name} from ${spec.image}`, WRITE_DEADLINE_MS, (abortSignal) =>
      this.dial<{ Id: string }>({
        path: '/containers/create?',
        method: 'POST',
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' },
        options: { _query: { name: spec.name }, _body: body },
        abortSignal
      })
    )
    return created.Id
  }

  /** `docker rename`: the container keeps everything else, its id included. */
  async renameContainer(name: string, newName: string): Promise<void> {
    checkContainerRef(name)
    checkContainerRef(newName)
    await this.call(`rename container ${name} to ${newName}`, WRITE_DEADLINE_MS, (abortSignal) => this.docker.getContainer(name).rename({ name: newName, abortSignal }), { name })
  }

  /**
   * Creates (does not start) `target.name` with the configuration of container `source` but
   * another image, as `docker compose` does when a service's image changes: the same command,
   * environment, mounts, network and restart policy. What the source's image only supplied by
   * default (environment entries, labels, command…) is left out, so the new image's defaults
   * apply. Anonymous volumes are not carried over. Returns the new container's id.
   */
  async createContainerLike(source: string, target: { name: string; image: string }): Promise<string> {
    checkContainerRef(source)
    checkContainerRef(target.name)
    checkImageRef(target.image)
    const info = await this.call(`inspect container ${source}`, READ_DEADLINE_MS, (abortSignal) => this.docker.getContainer(source).inspect({ abortSignal } as object), {
      name: source
    })
    const imageDefaults = await this.imageDefaults(info.Image)
    const body = containerLikeBody(info, imageDefaults, target.image)
    const created = await this.call(`create container ${target.name} like ${source} from ${target.image}`, WRITE_DEADLINE_MS, (abortSignal) =>
      this.dial<{ Id: string }>({
        path: '/containers/create?',
        method: 'POST',
        statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'conflict', 500: 'server error' },
        options: { _query: { name: target.name }, _body: body },
        abortSignal
      })
    )
    return created.Id
  }

  /** The configuration an image gives its containers by default; empty when the image is gone. */
  private async imageDefaults(imageId: string): Promise<Partial<Docker.ContainerInspectInfo['Config']>> {
    try {
      const image = await this.call(`inspect image ${imageId}`, READ_DEADLINE_MS, (abortSignal) => this.docker.getImage(imageId).inspect({ abortSignal } as object))
      return (image.Config ?? {}) as Partial<Docker.ContainerInspectInfo['Config']>
    } catch (error) {
      if (isNotFound(error)) return {}
      throw error
    }
  }

  async imageExists(ref: string): Promise<boolean> {
    checkImageRef(ref)
    try {
      await this.call(`inspect image ${ref}`, READ_DEADLINE_MS, (abortSignal) => this.docker.getImage(ref).inspect({ abortSignal } as object))
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  /** Pulls from the image's registry, reporting aggregated progress; fails with the engine's words. */
  async pullImage(ref: string, onProgress?: (progress: PullProgress) => void): Promise<void> {
    checkImageRef(ref)
    // No deadline: a large image takes minutes; a gone engine still fails at connect.
    const stream = (await this.call(`pull ${ref}`, null, () => this.docker.pull(ref))) as Readable
    const tracker = new PullProgressTracker(ref)
    const events = await new Promise<PullEvent[]>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: PullEvent[]) => (error === null ? resolve(output) : reject(this.translate(error, `pull ${ref}`))),
        (event: PullEvent) => onProgress?.(tracker.update(event))
      )
    })
    const failure = events.find((event) => event.error !== undefined)
    if (failure !== undefined) {
      throw new RampartError('failed', `Pulling ${ref} on the Docker engine at ${this.endpoint.display} failed: ${failure.errorDetail?.message ?? failure.error}`)
    }
  }

  /**
   * A container's output as batches of lines (one batch per chunk the engine sends: far fewer
   * awaits than one per line). Reading is pulled by the consumer: while it does not ask for the
   * next batch, the socket is paused and the engine waits. Breaking out of the loop or aborting
   * `signal` closes the HTTP connection. TTY containers (no framing) are read raw, as stdout.
   */
  logs(name: string, options: LogOptions = {}): AsyncGenerator<LogLine[], void, undefined> {
    return this.logStream(name, options, (tty) => logLineDecoder(tty, { timestamps: options.timestamps === true }))
  }

  /**
   * The same output as bytes, per chunk: stdout and stderr payloads copied out of the framing,
   * with no decoding and no per-line objects, for output that is only passed on (`rampart logs`
   * without filters, as `docker logs` does). With `timestamps`, each message keeps its prefix.
   */
  logBytes(name: string, options: LogOptions = {}): AsyncGenerator<LogBytes, void, undefined> {
    return this.logStream(name, options, logBytesDecoder)
  }

  /**
   * Runs a command in a running container and waits for it. Output is demultiplexed here (the
   * stream is framed: no TTY); the exit code comes from the engine once the stream has ended.
   */
  async exec(name: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    checkContainerRef(name)
    if (cmd.length === 0) throw new RampartError('bad_input', `exec in ${name}: the command is empty`)
    const what = `run ${cmd[0]} in container ${name}`
    const exec = await this.call(what, WRITE_DEADLINE_MS, (abortSignal) =>
      this.docker.getContainer(name).exec({
        Cmd: cmd,
        Env: options.env === undefined ? undefined : Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
        User: options.user,
        WorkingDir: options.workingDir,
        AttachStdin: options.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        abortSignal
      } as Docker.ExecCreateOptions)
    )
    const socket = await this.call(what, null, () =>
      this.dial<Duplex>({
        path: `/exec/${exec.id}/start`,
        method: 'POST',
        isStream: true,
        hijack: true,
        statusCodes: { 101: true, 200: true, 204: true, 404: 'no such exec', 409: 'container stopped/paused', 500: 'server error' },
        options: { Detach: false, Tty: false },
        abortSignal: options.signal
      })
    )
    const stop = (): void => {
      socket.destroy()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    const stdoutChunks: Uint8Array[] = []
    const stderrChunks: Uint8Array[] = []
    let stdoutBytes = 0
    const feeding = options.stdin === undefined ? Promise.resolve() : feedStdin(socket, options.stdin)
    // Awaited after the output; marked handled now so an early failure is not reported as unhandled.
    feeding.catch(() => undefined)
    try {
      const demuxer = new FrameDemuxer()
      for await (const chunk of socket as AsyncIterable<Uint8Array>) {
        for (const frame of demuxer.push(chunk)) {
          if (frame.stream === 'stderr') {
            stderrChunks.push(frame.data)
          } else {
            stdoutBytes += frame.data.length
            if (options.stdout === undefined) stdoutChunks.push(frame.data)
            else if (!options.stdout.write(frame.data)) await drained(options.stdout)
          }
        }
      }
      demuxer.finish()
      await feeding
    } catch (error) {
      if (aborted(options.signal)) throw new RampartError('failed', `${what}: cancelled`)
      throw this.translate(error, what)
    } finally {
      options.signal?.removeEventListener('abort', stop)
      socket.destroy()
    }
    const exitCode = await this.execExitCode(exec, what)
    const decoder = new TextDecoder()
    return {
      exitCode,
      stdout: options.stdout === undefined ? decoder.decode(Buffer.concat(stdoutChunks)) : '',
      stderr: decoder.decode(Buffer.concat(stderrChunks)),
      stdoutBytes
    }
  }

  /** Releases the connections kept for reuse. */
  close(): void {
    this.agent?.destroy()
  }

  /** Sockets currently open to the engine through the agent (streams in flight included): for tests and diagnostics. */
  openConnections(): number {
    if (this.agent === null) return 0
    let count = 0
    for (const sockets of Object.values(this.agent.sockets)) count += sockets?.length ?? 0
    return count
  }

  /** Opens the logs request and turns each chunk into a `T` with the decoder chosen for TTY or framed output. */
  private async *logStream<T>(name: string, options: LogOptions, decoderFor: (tty: boolean) => LogChunkDecoder<T>): AsyncGenerator<T, void, undefined> {
    checkContainerRef(name)
    if (options.tail !== undefined && !(Number.isInteger(options.tail) && options.tail >= 0)) {
      throw new RampartError('bad_input', `tail ${options.tail} is not a whole number of lines`)
    }
    const info = await this.inspectContainer(name)
    if (info === null) throw this.noSuchContainer(name)
    if (aborted(options.signal)) return
    const query: Record<string, unknown> = { stdout: true, stderr: true, follow: options.follow === true, timestamps: options.timestamps === true }
    if (options.tail !== undefined) query.tail = options.tail
    if (options.since !== undefined) query.since = (options.since.getTime() / 1000).toFixed(3)
    let response: Readable
    try {
      response = await this.dial<Readable>({
        path: `/containers/${info.id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: query,
        abortSignal: options.signal
      })
    } catch (error) {
      if (aborted(options.signal)) return
      throw this.translate(error, `read the logs of ${name}`)
    }
    const stop = (): void => {
      response.destroy()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    const decoder = decoderFor(info.tty)
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        const item = decoder.chunk(chunk)
        if (item !== null) yield item
      }
      const last = decoder.end()
      if (last !== null) yield last
    } catch (error) {
      if (aborted(options.signal)) return
      throw this.translate(error, `read the logs of ${name}`)
    } finally {
      options.signal?.removeEventListener('abort', stop)
      response.destroy()
    }
  }

  private async execExitCode(exec: Docker.Exec, what: string): Promise<number> {
    // The stream can end a moment before the engine records the exit.
    for (let poll = 0; poll < EXEC_EXIT_POLLS; poll += 1) {
      const state = await this.call(what, READ_DEADLINE_MS, (abortSignal) => exec.inspect({ abortSignal } as object))
      if (!state.Running && state.ExitCode !== null) return state.ExitCode
      await new Promise((resolve) => setTimeout(resolve, EXEC_EXIT_POLL_MS))
    }
    throw new RampartError('failed', `${what}: the output ended but the engine still reports the command as running`)
  }

  /** A raw engine request through dockerode's modem, for what dockerode's methods do not do right. */
  private dial<T>(options: ModemDialOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.docker.modem.dial(options, (error, result) => (error === null || error === undefined ? resolve(result as T) : reject(error)))
    })
  }

  /** Runs one engine request with a deadline, turning failures into RampartErrors. */
  private async call<T>(
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
      if (deadline.aborted && deadlineMs !== null) throw this.unreachable(`it accepted the connection but did not answer "${what}" within ${deadlineMs / 1000} s`)
      if (options.name !== undefined && isNotFound(error)) throw this.noSuchContainer(options.name)
      throw this.translate(error, what)
    }
  }

  private translate(error: unknown, what: string): unknown {
    if (error instanceof RampartError) return error
    const failure = error as EngineHttpError
    const reason = connectionFailure(failure, this.endpoint.options.socketPath, CONNECT_TIMEOUT_MS)
    if (reason !== null) return this.unreachable(reason)
    if (failure.statusCode !== undefined) {
      const engineSays = engineMessage(failure)
      if (failure.statusCode === 404) return Object.assign(new RampartError('bad_input', `Cannot ${what}: ${engineSays} (Docker engine at ${this.endpoint.display})`), { statusCode: 404 })
      const code = failure.statusCode === 409 ? 'conflict' : failure.statusCode >= 400 && failure.statusCode < 500 ? 'bad_input' : 'failed'
      return new RampartError(code, `Cannot ${what}: ${engineSays} (Docker engine at ${this.endpoint.display}, HTTP ${failure.statusCode})`)
    }
    return new RampartError('failed', `Cannot ${what} on the Docker engine at ${this.endpoint.display}: ${failure.message ?? String(error)}`)
  }

  private unreachable(reason: string): RampartError {
    return new RampartError('unreachable', `Docker engine at ${this.endpoint.display} is not reachable (${reason}). Is Docker running?`, {
      endpoint: this.endpoint.display
    })
  }

  private noSuchContainer(name: string): RampartError {
    return Object.assign(new RampartError('bad_input', `No container named "${name}" on the Docker engine at ${this.endpoint.display}`), { statusCode: 404 })
  }
}

// A function, not an inline test: TypeScript would otherwise keep `aborted` narrowed across awaits.
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

async function feedStdin(socket: Duplex, stdin: Readable | Uint8Array | string): Promise<void> {
  if (typeof stdin === 'string' || stdin instanceof Uint8Array) {
    socket.end(stdin)
    return
  }
  for await (const chunk of stdin) {
    if (!socket.write(chunk)) await drained(socket)
  }
  // Half-close: the engine then closes the command's stdin, and output keeps flowing back.
  socket.end()
}

function drained(stream: Writable | Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      stream.off('drain', onDrain)
      stream.off('error', done)
      stream.off('close', onClose)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onDrain = (): void => done()
    const onClose = (): void => done(new Error('the output stream closed before all output was written'))
    stream.once('drain', onDrain)
    stream.once('error', done)
    stream.once('close', onClose)
  })
}
