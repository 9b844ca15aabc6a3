import { RampartError } from '@shared/errors'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Step } from '../define-runbook'
import { asideContainerName } from './switch-image'

/** The step: "Stop container C". Stopped, or missing because this run is switching its image, both count as stopped. */
export function stopService(engine: DockerEngine, container: string, stopTimeoutSeconds: number): Step {
  return {
    name: `Stop container ${container}`,
    run: async ({ runId }) => {
      const info = await engine.inspectContainer(container)
      if (info === null) {
        if ((await engine.inspectContainer(asideContainerName(container, runId))) !== null)
          return `${container} is being replaced by this run; nothing to stop`
        throw new RampartError(
          'failed',
          `container ${container} does not exist on the Docker engine at ${engine.endpoint.display}`
        )
      }
      if (info.state !== 'running' && info.state !== 'restarting' && info.state !== 'paused')
        return `already stopped (${info.state})`
      await engine.stopContainer(container, { timeoutSeconds: stopTimeoutSeconds })
      return `stopped (stop timeout ${stopTimeoutSeconds} s)`
    }
  }
}
