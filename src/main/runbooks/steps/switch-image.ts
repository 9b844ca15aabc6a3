import { z } from 'zod'
import { RampartError } from '@shared/errors'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { Step, TypedNotes } from '../define-runbook'

export const SwitchImageNotesSchema = z.object({ previousImage: z.string() })
type SwitchImageNotes = z.infer<typeof SwitchImageNotesSchema>

/** Where a run keeps the old container while its replacement is created (the stop step looks for it too). */
export function asideContainerName(container: string, runId: number): string {
  return `${container}-rampart-run${runId}`
}

/** The step: "Switch container C to image I". */
export function switchImage(
  engine: DockerEngine,
  request: { container: string; image: string; stopTimeoutSeconds: number }
): Step<SwitchImageNotes> {
  return {
    name: `Switch container ${request.container} to image ${request.image}`,
    run: ({ runId, notes, report }) =>
      switchContainerImage(
        engine,
        { ...request, asideName: asideContainerName(request.container, runId) },
        notes,
        report
      )
  }
}

/**
 * Puts container `container` on another image with the same configuration: the old container is
 * renamed aside (so its configuration stays in Docker, never copied into the history file, where
 * its environment could hold secrets), a new one is created like it, and the old one is removed.
 * Every stage looks at Docker first, so a re-run after a crash continues where it stopped; the
 * image it replaced is noted for an undo.
 */
async function switchContainerImage(
  engine: DockerEngine,
  request: { container: string; image: string; asideName: string; stopTimeoutSeconds: number },
  notes: TypedNotes<SwitchImageNotes>,
  report: (message: string) => void
): Promise<string> {
  const { container, image, asideName } = request
  let current = await engine.inspectContainer(container)
  let aside = await engine.inspectContainer(asideName)
  if (current === null && aside === null) {
    throw new RampartError(
      'failed',
      `container ${container} does not exist on the Docker engine at ${engine.endpoint.display}; ` +
        `there is nothing to switch to ${image}`
    )
  }
  if (current !== null && aside === null) {
    if (current.image === image) return `already on ${image}`
    if (notes.get('previousImage') === undefined) notes.set('previousImage', current.image)
    if (current.state === 'running' || current.state === 'restarting' || current.state === 'paused') {
      await engine.stopContainer(container, { timeoutSeconds: request.stopTimeoutSeconds })
    }
    await engine.renameContainer(container, asideName)
    report(`${container} (${current.image}) renamed to ${asideName}`)
    aside = current
    current = null
  }
  if (current === null) {
    await engine.createContainerLike(asideName, { name: container, image })
    report(`${container} created from ${image} with the configuration of ${asideName}`)
    current = await engine.inspectContainer(container)
  }
  if (current === null || current.image !== image) {
    throw new RampartError(
      'failed',
      `container ${container} is on ${current?.image ?? 'nothing'}, not ${image}, ` +
        `while the previous container is still kept as ${asideName}; ` +
        `look at both (docker ps -a) before running this again`
    )
  }
  await engine.removeContainer(asideName, { force: true })
  return `${container} now on ${image} (was ${notes.get('previousImage') ?? 'unknown'})`
}
