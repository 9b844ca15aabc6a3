import { RampartError } from '@shared/errors'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Step } from '../define-runbook'

/** The step: "Start container C"; a running container is left as it is. */
export function startService(engine: DockerEngine, container: string): Step {
  return {
    name: `Start container ${container}`,
    run: async () => {
      const info = await engine.inspectContainer(container)
      if (info === null)
        throw new RampartError(
          'failed',
          `container ${container} does not exist on the Docker engine at ${engine.endpoint.display}`
        )
      if (info.state === 'running') return 'already running'
      await engine.startContainer(container)
      return 'started'
    }
  }
}
