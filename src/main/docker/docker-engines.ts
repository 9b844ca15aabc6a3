import { DockerEngine } from './docker-engine'
import type { Workspace } from '@main/workspace/core/workspace-schema'
import { environmentConfig } from '@main/workspace/core/workspace-lookup'

/**
 * One DockerEngine per endpoint, shared by every service: an environment's `docker.host`, else
 * DOCKER_HOST, else the default socket. Creating one does no I/O, so a workspace whose engine is
 * down still loads; each call then fails with 'unreachable' within 2 s.
 */
export class DockerEngines {
  private readonly engines = new Map<string, DockerEngine>()

  constructor(
    private readonly workspace: Workspace,
    private readonly env: NodeJS.ProcessEnv = process.env
  ) {}

  forEnvironment(name: string | undefined): DockerEngine {
    const { config } = environmentConfig(this.workspace, name)
    const host = config.docker.host ?? this.env.DOCKER_HOST ?? ''
    const cached = this.engines.get(host)
    if (cached !== undefined) return cached
    const engine = DockerEngine.forHost(host === '' ? undefined : host, { env: this.env })
    this.engines.set(host, engine)
    return engine
  }

  close(): void {
    for (const engine of this.engines.values()) engine.close()
    this.engines.clear()
  }
}
