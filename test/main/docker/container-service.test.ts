import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { RampartError } from '@shared/errors'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'
import { connectTestEngine, NODE_FIXTURE_IMAGE, requireImage, waitFor } from '@test/support/docker-test-env'
import { NodeTestContainers } from '@test/support/node-test-containers'

let engine: DockerEngine
const containers = new NodeTestContainers()
let service: string
let workspace: ServiceWorkspace | undefined

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  service = await containers.run(engine, 'containers-svc', 'setInterval(() => {}, 1000)')
}, 60_000)

afterAll(async () => {
  await containers.removeAll(engine)
  engine.close()
}, 60_000)

afterEach(() => {
  workspace?.cleanup()
  workspace = undefined
})

async function open() {
  workspace = new ServiceWorkspace({
    envText: seedEnvText(10),
    workspaceYaml: [
      'environments:',
      '  local:',
      `    service: { container: ${service} }`,
      '    postgres: { container: rampart-test-no-such-postgres, disposable: true }',
      ''
    ].join('\n')
  })
  return workspace.open('alice')
}

describe('ContainerService', () => {
  it('lists the environment’s service and Postgres containers, saying which is absent', async () => {
    const context = await open()
    expect(await context.services.containers.list(undefined)).toEqual([
      expect.objectContaining({ name: service, role: 'service', state: 'running', image: NODE_FIXTURE_IMAGE }),
      {
        name: 'rampart-test-no-such-postgres',
        role: 'postgres',
        state: 'absent',
        health: null,
        image: null,
        startedAt: null
      }
    ])
  })

  it('stops and starts the service with its name typed again, and records who did it', async () => {
    const context = await open()
    const stopped = await context.services.containers.act({ container: service, action: 'stop', confirmation: service })
    expect(stopped.state).toBe('exited')
    const started = await context.services.containers.act({
      container: service,
      action: 'start',
      confirmation: service
    })
    expect(started.state).toBe('running')
    await waitFor('the service to run', async () =>
      (await engine.inspectContainer(service))?.state === 'running' ? true : undefined
    )
    const events = context.services.history.list().filter((event) => event.kind === 'docker_action')
    expect(events.map((event) => [event.actor, event.outcome, event.reason])).toEqual([
      ['alice', 'succeeded', `stop service container ${service}`],
      ['alice', 'succeeded', `start service container ${service}`]
    ])
  })

  it('refuses without the name typed, and refuses a container that is not the environment’s', async () => {
    const context = await open()
    const unconfirmed = await context.services.containers
      .act({ container: service, action: 'restart', confirmation: 'yes' })
      .catch((error: unknown) => error)
    expect(unconfirmed).toBeInstanceOf(RampartError)
    expect((unconfirmed as RampartError).message).toBe(`type the container name "${service}" to restart it`)
    const foreign = await context.services.containers
      .act({ container: 'some-other-container', action: 'stop', confirmation: 'some-other-container' })
      .catch((error: unknown) => error)
    expect((foreign as RampartError).code).toBe('bad_input')
    expect((foreign as RampartError).message).toContain('is not a container of environment "local"')
    expect((await engine.inspectContainer(service))?.state).toBe('running')
  })
})
