/**
 * The image switch against the real engine: the demo service in a container, and a second tag
 * of the Node fixture image as the "previous release".
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { asideContainerName, switchImage } from '@main/runbooks/steps/switch-image'
import { connectTestEngine, NODE_FIXTURE_IMAGE, removeContainers } from '@test/support/docker-test-env'
import { startServiceContainer, type ServiceContainer } from '@test/support/service-container'
import { memoryNotes } from '@test/fixtures/memory-notes'

const docker = promisify(execFile)
const PREVIOUS_IMAGE = `rampart-test/ops-center:switch-${randomBytes(4).toString('hex')}`
const RUN_ID = 57

let engine: DockerEngine

beforeAll(async () => {
  engine = await connectTestEngine()
  await docker('docker', ['tag', NODE_FIXTURE_IMAGE, PREVIOUS_IMAGE])
}, 60_000)

afterAll(async () => {
  await docker('docker', ['rmi', PREVIOUS_IMAGE]).catch(() => undefined)
  engine?.close()
})

describe('switchImage', () => {
  let service: ServiceContainer
  let notes: ReturnType<typeof memoryNotes>
  let reports: string[]

  const run = (): Promise<string | void> =>
    switchImage(engine, { container: service.name, image: PREVIOUS_IMAGE, stopTimeoutSeconds: 5 }).run({
      runId: RUN_ID,
      signal: new AbortController().signal,
      notes,
      report: (message) => void reports.push(message)
    })

  beforeEach(async () => {
    service = await startServiceContainer(engine, 'switch')
    notes = memoryNotes()
    reports = []
  }, 60_000)

  afterEach(async () => {
    await removeContainers(engine, [asideContainerName(service.name, RUN_ID)])
    await service?.remove()
  })

  it(
    'recreates the container on the image, configured ' + 'as before, notes the old image, then finds it done',
    async () => {
      expect(await run()).toBe(`${service.name} now on ${PREVIOUS_IMAGE} (was ${NODE_FIXTURE_IMAGE})`)

      const container = (await engine.inspectContainer(service.name))!
      expect([container.image, container.labels['rampart.test']]).toEqual([PREVIOUS_IMAGE, '1'])
      expect(await engine.inspectContainer(asideContainerName(service.name, RUN_ID))).toBeNull()
      expect(notes.all()).toEqual({ previousImage: NODE_FIXTURE_IMAGE })
      expect(reports).toHaveLength(2)
      expect(await run()).toBe(`already on ${PREVIOUS_IMAGE}`)
    },
    60_000
  )

  it('continues after a crash that left only the renamed-aside container: creates the new one like it', async () => {
    // What an attempt that died right after the rename leaves: the note, and the old container aside.
    notes.set('previousImage', NODE_FIXTURE_IMAGE)
    await engine.stopContainer(service.name, { timeoutSeconds: 5 })
    await engine.renameContainer(service.name, asideContainerName(service.name, RUN_ID))

    expect(await run()).toBe(`${service.name} now on ${PREVIOUS_IMAGE} (was ${NODE_FIXTURE_IMAGE})`)
    expect((await engine.inspectContainer(service.name))!.image).toBe(PREVIOUS_IMAGE)
    expect(await engine.inspectContainer(asideContainerName(service.name, RUN_ID))).toBeNull()
  }, 60_000)
})
