import type { LogLine } from '@shared/log-line'
import type { ContainerInfo, ContainerSummary } from './core/container-info'
import type { ContainerSpec } from './core/container-spec'
import type { LogBytes } from './core/log-chunk-decoders'
import type { PullProgress } from './core/pull-progress'
import { DockerContainers } from './docker-containers'
import { resolveDockerEndpoint, type DockerConnectOptions, type DockerEndpoint } from './docker-endpoint'
import { DockerExec, type ExecOptions, type ExecResult } from './docker-exec'
import { DockerImages } from './docker-images'
import { DockerLogs, type LogOptions } from './docker-logs'
import { EngineClient } from './engine-client'

const PING_TIMEOUT_MS = 2_000

/**
 * The Docker engine, over dockerode: one instance per endpoint (socket, tcp:// or ssh://),
 * created once and passed to the services. Every call turns "engine gone" into
 * RampartError('unreachable') within CONNECT_TIMEOUT_MS: a socket that does not connect in
 * time is destroyed by the agent, and ssh has its handshake bounded the same way.
 * Nothing is recorded in history here; the services do that. This is the one handle callers
 * hold: the calls themselves live in docker-containers, docker-images, docker-exec and docker-logs.
 */
export class DockerEngine {
  private readonly client: EngineClient
  private readonly containers: DockerContainers
  private readonly images: DockerImages
  private readonly execs: DockerExec
  private readonly logStreams: DockerLogs

  private constructor(readonly endpoint: DockerEndpoint) {
    this.client = new EngineClient(endpoint)
    this.images = new DockerImages(this.client)
    this.containers = new DockerContainers(this.client, this.images)
    this.execs = new DockerExec(this.client)
    this.logStreams = new DockerLogs(this.client, this.containers)
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
        reject(this.client.unreachable(`no answer within ${PING_TIMEOUT_MS / 1000} s`))
      }, PING_TIMEOUT_MS)
    })
    try {
      await Promise.race([
        deadline,
        (this.client.docker.ping as (options: object) => Promise<unknown>)({ abortSignal: controller.signal })
      ])
    } catch (error) {
      throw this.client.translate(error, 'ping')
    } finally {
      clearTimeout(timer)
    }
  }

  /** Containers, running or not; `label` filters as `docker ps --filter label=…` ("key" or "key=value"). */
  listContainers(filter: { label?: string | string[] } = {}): Promise<ContainerSummary[]> {
    return this.containers.list(filter)
  }

  /** The container, or null when there is none by that name or id. */
  inspectContainer(name: string): Promise<ContainerInfo | null> {
    return this.containers.inspect(name)
  }

  /** Starting a running container is not an error. */
  startContainer(name: string): Promise<void> {
    return this.containers.start(name)
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds`; stopping a stopped container is not an error. */
  stopContainer(name: string, options: { timeoutSeconds: number }): Promise<void> {
    return this.containers.stop(name, options)
  }

  restartContainer(name: string, options: { timeoutSeconds: number }): Promise<void> {
    return this.containers.restart(name, options)
  }

  /** Returns false when there was no such container. `force` removes a running one. */
  removeContainer(name: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<boolean> {
    return this.containers.remove(name, options)
  }

  /** Creates (does not start) the container; returns its id. */
  createContainer(spec: ContainerSpec): Promise<string> {
    return this.containers.create(spec)
  }

  /** `docker rename`: the container keeps everything else, its id included. */
  renameContainer(name: string, newName: string): Promise<void> {
    return this.containers.rename(name, newName)
  }

  /**
   * Creates (does not start) `target.name` with the configuration of container `source` but
   * another image, as `docker compose` does when a service's image changes: the same command,
   * environment, mounts, network and restart policy. What the source's image only supplied by
   * default (environment entries, labels, command…) is left out, so the new image's defaults
   * apply. Anonymous volumes are not carried over. Returns the new container's id.
   */
  createContainerLike(source: string, target: { name: string; image: string }): Promise<string> {
    return this.containers.createLike(source, target)
  }

  imageExists(ref: string): Promise<boolean> {
    return this.images.exists(ref)
  }

  /** Pulls from the image's registry, reporting aggregated progress; fails with the engine's words. */
  pullImage(ref: string, onProgress?: (progress: PullProgress) => void): Promise<void> {
    return this.images.pull(ref, onProgress)
  }

  /**
   * A container's output as batches of lines (one batch per chunk the engine sends: far fewer
   * awaits than one per line). Reading is pulled by the consumer: while it does not ask for the
   * next batch, the socket is paused and the engine waits. Breaking out of the loop or aborting
   * `signal` closes the HTTP connection. TTY containers (no framing) are read raw, as stdout.
   */
  logs(name: string, options: LogOptions = {}): AsyncGenerator<LogLine[], void, undefined> {
    return this.logStreams.lines(name, options)
  }

  /**
   * The same output as bytes, per chunk: stdout and stderr payloads copied out of the framing,
   * with no decoding and no per-line objects, for output that is only passed on (`rampart logs`
   * without filters, as `docker logs` does). With `timestamps`, each message keeps its prefix.
   */
  logBytes(name: string, options: LogOptions = {}): AsyncGenerator<LogBytes, void, undefined> {
    return this.logStreams.bytes(name, options)
  }

  /**
   * Runs a command in a running container and waits for it. Output is demultiplexed here (the
   * stream is framed: no TTY); the exit code comes from the engine once the stream has ended.
   */
  exec(name: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.execs.run(name, cmd, options)
  }

  /** Releases the connections kept for reuse. */
  close(): void {
    this.client.close()
  }

  /** Sockets currently open to the engine through the agent (streams in flight included): for tests and diagnostics. */
  openConnections(): number {
    return this.client.openConnections()
  }
}
