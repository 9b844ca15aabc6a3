import type { Readable } from 'node:stream'
import { RampartError } from '@shared/errors'
import type { EngineConfig } from './core/container-like-body'
import { isNotFound } from './core/engine-failures'
import { PullProgressTracker, type PullEvent, type PullProgress } from './core/pull-progress'
import { checkImageRef } from './core/request-arguments'
import { READ_DEADLINE_MS, type EngineClient } from './engine-client'

/** Images on the engine: whether one is there, what it gives its containers, and pulling one. */
export class DockerImages {
  constructor(private readonly client: EngineClient) {}

  async exists(ref: string): Promise<boolean> {
    checkImageRef(ref)
    try {
      await this.client.call(`inspect image ${ref}`, READ_DEADLINE_MS, (abortSignal) =>
        this.client.docker.getImage(ref).inspect({ abortSignal } as object)
      )
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  /** The configuration an image gives its containers by default; empty when the image is gone. */
  async containerDefaults(imageId: string): Promise<Partial<EngineConfig>> {
    try {
      const image = await this.client.call(`inspect image ${imageId}`, READ_DEADLINE_MS, (abortSignal) =>
        this.client.docker.getImage(imageId).inspect({ abortSignal } as object)
      )
      return (image.Config ?? {}) as Partial<EngineConfig>
    } catch (error) {
      if (isNotFound(error)) return {}
      throw error
    }
  }

  async pull(ref: string, onProgress?: (progress: PullProgress) => void): Promise<void> {
    checkImageRef(ref)
    const { client } = this
    // No deadline: a large image takes minutes; a gone engine still fails at connect.
    const stream = (await client.call(`pull ${ref}`, null, () => client.docker.pull(ref))) as Readable
    const tracker = new PullProgressTracker(ref)
    const events = await new Promise<PullEvent[]>((resolve, reject) => {
      client.docker.modem.followProgress(
        stream,
        (error: Error | null, output: PullEvent[]) =>
          error === null ? resolve(output) : reject(client.translate(error, `pull ${ref}`)),
        (event: PullEvent) => onProgress?.(tracker.update(event))
      )
    })
    const failure = events.find((event) => event.error !== undefined)
    if (failure !== undefined) {
      throw new RampartError(
        'failed',
        `Pulling ${ref} on the Docker engine at ${client.endpoint.display} failed: ` +
          `${failure.errorDetail?.message ?? failure.error}`
      )
    }
  }
}
