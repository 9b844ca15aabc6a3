import { z } from 'zod'
import { RampartError } from '@shared/errors'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Step } from '../define-runbook'

export const RestartServiceNotesSchema = z.object({
  /** The container's start time before this run restarted it (null: it had never started). */
  startedBeforeRestart: z.string().nullable(),
  restarted: z.boolean()
})

/**
 * Restarts the service container so it reads its env file (and the flag just written there)
 * again. Before restarting, the container's start time is noted: a re-run that finds a later
 * start knows the restart happened (clock-free, so a remote engine's clock does not matter).
 */
export function restartService(
  engine: DockerEngine,
  container: string,
  stopTimeoutSeconds: number
): Step<z.infer<typeof RestartServiceNotesSchema>> {
  return {
    name: `Restart container ${container}`,
    run: async ({ notes }) => {
      const info = await engine.inspectContainer(container)
      if (info === null)
        throw new RampartError(
          'failed',
          `container ${container} does not exist on the Docker engine at ${engine.endpoint.display}; ` +
            `the flag is disabled in the file, but nothing is serving it`
        )
      const before = notes.get('startedBeforeRestart')
      if (before !== undefined && info.state === 'running' && info.startedAt !== before) {
        notes.set('restarted', true)
        return `already restarted (started at ${info.startedAt})`
      }
      notes.set('startedBeforeRestart', info.startedAt)
      await engine.restartContainer(container, { timeoutSeconds: stopTimeoutSeconds })
      notes.set('restarted', true)
      return `restarted (stop timeout ${stopTimeoutSeconds} s)`
    }
  }
}
