import type { ContainerActionInput, ContainerRole, ContainerView } from '@shared/container-types'
import { RampartError } from '@shared/errors'
import type { HistoryStore } from '@main/history/history-store'
import { environmentConfig } from '@main/workspace/core/workspace-lookup'
import type { Workspace } from '@main/workspace/core/workspace-schema'
import type { DockerEngines } from './docker-engines'

const STOP_TIMEOUT_SECONDS = 10

/**
 * The containers of an environment (its service and its Postgres) as the console shows them,
 * and the operator's restart, stop and start of one of them: only those containers, only with
 * the name typed again, every one recorded (the Docker action and a chained event naming who).
 */
export class ContainerService {
  constructor(
    private readonly deps: {
      workspace: Workspace
      docker: Pick<DockerEngines, 'forEnvironment'>
      history: Pick<HistoryStore, 'events' | 'operations'>
      actor: string
    }
  ) {}

  async list(environment: string | undefined): Promise<ContainerView[]> {
    const { name, config } = environmentConfig(this.deps.workspace, environment)
    const engine = this.deps.docker.forEnvironment(name)
    return Promise.all(
      this.containersOf(config).map(async ({ name: container, role }) => {
        const info = await engine.inspectContainer(container)
        return {
          name: container,
          role,
          state: info?.state ?? 'absent',
          health: info?.health ?? null,
          image: info?.image ?? null,
          startedAt: info?.startedAt ?? null
        }
      })
    )
  }

  async act(input: ContainerActionInput): Promise<ContainerView> {
    const { name: environment, config } = environmentConfig(this.deps.workspace, input.environment)
    const known = this.containersOf(config).find((container) => container.name === input.container)
    if (known === undefined) {
      const names = this.containersOf(config).map((container) => container.name)
      throw new RampartError(
        'bad_input',
        `"${input.container}" is not a container of environment "${environment}" (its containers: ${names.join(', ')})`
      )
    }
    if (input.confirmation !== input.container) {
      throw new RampartError('refused', `type the container name "${input.container}" to ${input.action} it`)
    }
    const engine = this.deps.docker.forEnvironment(environment)
    const record = (outcome: string, detail: object): void => {
      this.deps.history.operations.recordDockerAction({
        environment,
        endpoint: engine.endpoint.display,
        container: input.container,
        action: input.action,
        outcome,
        detail: { ...detail, by: this.deps.actor }
      })
      this.deps.history.events.appendEvent({
        kind: 'docker_action',
        actor: this.deps.actor,
        environment,
        reason: `${input.action} ${known.role} container ${input.container}`,
        outcome,
        detail: { container: input.container, action: input.action, ...detail }
      })
    }
    try {
      if (input.action === 'start') await engine.startContainer(input.container)
      else if (input.action === 'stop')
        await engine.stopContainer(input.container, { timeoutSeconds: STOP_TIMEOUT_SECONDS })
      else await engine.restartContainer(input.container, { timeoutSeconds: STOP_TIMEOUT_SECONDS })
    } catch (error) {
      record('failed', { message: error instanceof Error ? error.message : String(error) })
      throw error
    }
    record('succeeded', {})
    const [view] = (await this.list(environment)).filter((container) => container.name === input.container)
    return view!
  }

  private containersOf(config: Workspace['environments'][string]): Array<{ name: string; role: ContainerRole }> {
    return [
      { name: config.service.container, role: 'service' },
      { name: config.postgres.container, role: 'postgres' }
    ]
  }
}
