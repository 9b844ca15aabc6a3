import type Docker from 'dockerode'
import { healthFromStatus, type ContainerInfo, type ContainerState, type ContainerSummary } from './core/container-info'
import { containerLikeBody } from './core/container-like-body'
import { containerCreateBody, type ContainerSpec } from './core/container-spec'
import { isNotFound } from './core/engine-failures'
import { checkContainerRef, checkImageRef, checkStopTimeout } from './core/request-arguments'
import type { DockerImages } from './docker-images'
import { READ_DEADLINE_MS, WRITE_DEADLINE_MS, type EngineClient } from './engine-client'

// Stop and restart first wait out the container's own timeout; their deadline is that plus this margin.
const STOP_MARGIN_MS = 30_000

const CREATE_STATUS_CODES = {
  200: true,
  201: true,
  400: 'bad parameter',
  404: 'no such image',
  409: 'conflict',
  500: 'server error'
}

/** Containers on the engine: list, inspect, create, start, stop, restart, rename, remove. */
export class DockerContainers {
  constructor(
    private readonly client: EngineClient,
    private readonly images: DockerImages
  ) {}

  async list(filter: { label?: string | string[] }): Promise<ContainerSummary[]> {
    const labels = filter.label === undefined ? [] : Array.isArray(filter.label) ? filter.label : [filter.label]
    const query: Docker.ContainerListOptions = { all: true }
    if (labels.length > 0) query.filters = { label: labels }
    const list = await this.client.call('list containers', READ_DEADLINE_MS, (abortSignal) =>
      this.client.docker.listContainers({ ...query, abortSignal })
    )
    return list.map((item) => ({
      id: item.Id,
      name: (item.Names[0] ?? item.Id).replace(/^\//, ''),
      image: item.Image,
      state: item.State as ContainerState,
      health: healthFromStatus(item.Status),
      labels: item.Labels ?? {}
    }))
  }

  async inspect(name: string): Promise<ContainerInfo | null> {
    checkContainerRef(name)
    try {
      const info = await this.inspectRaw(name, {})
      const health = info.State.Health?.Status
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        image: info.Config.Image,
        state: info.State.Status as ContainerState,
        health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : null,
        labels: info.Config.Labels ?? {},
        tty: info.Config.Tty,
        startedAt:
          info.State.StartedAt === undefined || info.State.StartedAt.startsWith('0001-') ? null : info.State.StartedAt,
        exitCode: info.State.ExitCode
      }
    } catch (error) {
      if (isNotFound(error)) return null
      throw error
    }
  }

  async start(name: string): Promise<void> {
    checkContainerRef(name)
    await this.client.call(
      `start container ${name}`,
      WRITE_DEADLINE_MS,
      (abortSignal) => this.client.docker.getContainer(name).start({ abortSignal }),
      { alreadyDone: true, name }
    )
  }

  async stop(name: string, options: { timeoutSeconds: number }): Promise<void> {
    checkContainerRef(name)
    checkStopTimeout(options.timeoutSeconds)
    await this.client.call(
      `stop container ${name}`,
      options.timeoutSeconds * 1000 + STOP_MARGIN_MS,
      (abortSignal) => this.client.docker.getContainer(name).stop({ t: options.timeoutSeconds, abortSignal }),
      { alreadyDone: true, name }
    )
  }

  async restart(name: string, options: { timeoutSeconds: number }): Promise<void> {
    checkContainerRef(name)
    checkStopTimeout(options.timeoutSeconds)
    await this.client.call(
      `restart container ${name}`,
      options.timeoutSeconds * 1000 + STOP_MARGIN_MS,
      (abortSignal) => this.client.docker.getContainer(name).restart({ t: options.timeoutSeconds, abortSignal }),
      { name }
    )
  }

  async remove(name: string, options: { force?: boolean; volumes?: boolean }): Promise<boolean> {
    checkContainerRef(name)
    try {
      await this.client.call(`remove container ${name}`, WRITE_DEADLINE_MS, (abortSignal) =>
        this.client.docker
          .getContainer(name)
          .remove({ force: options.force === true, v: options.volumes === true, abortSignal })
      )
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  async create(spec: ContainerSpec): Promise<string> {
    return await this.createFromBody(
      `create container ${spec.name} from ${spec.image}`,
      spec.name,
      containerCreateBody(spec)
    )
  }

  async rename(name: string, newName: string): Promise<void> {
    checkContainerRef(name)
    checkContainerRef(newName)
    await this.client.call(
      `rename container ${name} to ${newName}`,
      WRITE_DEADLINE_MS,
      (abortSignal) => this.client.docker.getContainer(name).rename({ name: newName, abortSignal }),
      {
        name
      }
    )
  }

  async createLike(source: string, target: { name: string; image: string }): Promise<string> {
    checkContainerRef(source)
    checkContainerRef(target.name)
    checkImageRef(target.image)
    const info = await this.inspectRaw(source, { name: source })
    const imageDefaults = await this.images.containerDefaults(info.Image)
    const body = containerLikeBody(info, imageDefaults, target.image)
    return await this.createFromBody(
      `create container ${target.name} like ${source} from ${target.image}`,
      target.name,
      body
    )
  }

  /** The engine's whole inspect answer; a missing container fails as `call` reports it. */
  private inspectRaw(name: string, options: { name?: string }): Promise<Docker.ContainerInspectInfo> {
    return this.client.call(
      `inspect container ${name}`,
      READ_DEADLINE_MS,
      (abortSignal) => this.client.docker.getContainer(name).inspect({ abortSignal } as object),
      options
    )
  }

  /** Creates (does not start) the container; returns its id. */
  private async createFromBody(what: string, name: string, body: Record<string, unknown>): Promise<string> {
    // Query and body kept apart: dockerode would also copy the body (Env, secrets included) into the URL.
    const created = await this.client.call(what, WRITE_DEADLINE_MS, (abortSignal) =>
      this.client.dial<{ Id: string }>({
        path: '/containers/create?',
        method: 'POST',
        statusCodes: CREATE_STATUS_CODES,
        options: { _query: { name }, _body: body },
        abortSignal
      })
    )
    return created.Id
  }
}
