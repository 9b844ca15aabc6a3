/** The stop step against the real engine, including a container its own run has renamed aside. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { stopService } from '@main/runbooks/steps/stop-service'
import { asideContainerName } from '@main/runbooks/steps/switch-image'
import { connectTestEngine, removeContainers, uniqueContainerName } from '@test/support/docker-test-env'
import { startServiceContainer, type ServiceContainer } from '@test/support/service-container'
import { memoryNotes } from '@test/fixtures/memory-notes'

const RUN_ID = 31

let engine: DockerEngine

beforeAll(async () => {
  engine = await connectTestEngine()
})

afterAll(() => engine?.close())

function run(container: string): Promise<string | void> {
  return stopService(engine, container, 5).run({
    runId: RUN_ID,
    signal: new AbortController().signal,
    notes: memoryNotes(),
    report: () => undefined
  })
}

describe('stopService', () => {
  let service: ServiceContainer

  beforeEach(async () => {
    service = await startServiceContainer(engine, 'stop')
  }, 60_000)

  afterEach(async () => {
    await removeContainers(engine, [asideContainerName(service.name, RUN_ID)])
    await service?.remove()
  })

  it('stops a running container, and finds it stopped when run again', async () => {
    expect(await run(service.name)).toBe('stopped (stop timeout 5 s)')
    expect((await engine.inspectContainer(service.name))!.state).toBe('exited')
    expect(await run(service.name)).toBe('already stopped (exited)')
  }, 60_000)

  it('takes a container this run renamed aside (an image switch under way) for stopped', async () => {
    await engine.stopContainer(service.name, { timeoutSeconds: 5 })
    await engine.renameContainer(service.name, asideContainerName(service.name, RUN_ID))
    expect(await run(service.name)).toBe(`${service.name} is being replaced by this run; nothing to stop`)
  }, 60_000)
})

describe('stopService without a container', () => {
  it('fails naming the container when it is nowhere', async () => {
    const missing = uniqueContainerName('missing')
    await expect(run(missing)).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringContaining(`container ${missing} does not exist on the Docker engine`)
    })
  })
})
