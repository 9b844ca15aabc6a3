/** The restart step against the real engine: the demo service in a container, its start time as the witness. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { restartService } from '@main/runbooks/steps/restart-service'
import { connectTestEngine, uniqueContainerName } from '@test/support/docker-test-env'
import { startServiceContainer, type ServiceContainer } from '@test/support/service-container'
import { memoryNotes } from '@test/fixtures/memory-notes'

let engine: DockerEngine

beforeAll(async () => {
  engine = await connectTestEngine()
})

afterAll(() => engine?.close())

/** What the runner hands a step, with the notes in memory. */
function kit() {
  return { runId: 7, signal: new AbortController().signal, notes: memoryNotes(), report: () => undefined }
}

describe('restartService', () => {
  let service: ServiceContainer

  beforeEach(async () => {
    service = await startServiceContainer(engine, 'restart')
  }, 60_000)

  afterEach(async () => {
    await service?.remove()
  })

  it('notes the start time, restarts once, and a re-run that finds a later start does not restart again', async () => {
    const before = (await engine.inspectContainer(service.name))!.startedAt
    const step = restartService(engine, service.name, 5)
    const tools = kit()

    expect(step.name).toBe(`Restart container ${service.name}`)
    expect(await step.run(tools)).toBe('restarted (stop timeout 5 s)')
    const restarted = (await engine.inspectContainer(service.name))!.startedAt
    expect(restarted).not.toBe(before)
    expect(tools.notes.all()).toEqual({ startedBeforeRestart: before, restarted: true })

    expect(await step.run(tools)).toBe(`already restarted (started at ${restarted})`)
    expect((await engine.inspectContainer(service.name))!.startedAt).toBe(restarted)
  }, 60_000)
})

describe('restartService without a container', () => {
  it('fails naming the container when it does not exist, and notes nothing', async () => {
    const missing = uniqueContainerName('missing')
    const tools = kit()
    await expect(restartService(engine, missing, 5).run(tools)).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringContaining(`container ${missing} does not exist on the Docker engine`)
    })
    expect(tools.notes.all()).toEqual({})
  })
})
