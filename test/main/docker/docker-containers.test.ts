/**
 * Container lifecycle, create specs and health against the real engine (scripts/test-env/up.sh)
 * and the node fixture image. Containers use host networking, listen on 127.0.0.1 only, carry
 * rampart.test=1 and are removed in afterAll.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  requireImage,
  TEST_LABELS,
  waitFor
} from '@test/support/docker-test-env'
import {
  expectRampartError,
  NodeTestContainers,
  readLogLines,
  texts,
  waitForExit
} from '@test/support/node-test-containers'

let engine: DockerEngine
const containers = new NodeTestContainers()
let dir: string
let stopped: string

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  dir = mkdtempSync(join(tmpdir(), 'rampart-docker-containers-'))
  stopped = await containers.run(engine, 'stopped', `console.log('done')`)
  await waitForExit(engine, stopped)
})

afterAll(async () => {
  if (engine !== undefined) {
    await containers.removeAll(engine)
    engine.close()
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('DockerEngine lifecycle', () => {
  it('starts, stops (SIGKILL after the timeout) and restarts a container, each twice without error', async () => {
    // node as PID 1 ignores SIGTERM, so stop has to wait out its timeout and kill.
    const name = await containers.run(engine, 'lifecycle', 'setInterval(() => {}, 1000)')
    await engine.startContainer(name)
    const first = await engine.inspectContainer(name)
    expect(first?.state).toBe('running')

    await engine.stopContainer(name, { timeoutSeconds: 1 })
    await engine.stopContainer(name, { timeoutSeconds: 1 })
    expect(await engine.inspectContainer(name)).toMatchObject({ state: 'exited', exitCode: 137 })

    await engine.startContainer(name)
    await engine.restartContainer(name, { timeoutSeconds: 1 })
    const restarted = await engine.inspectContainer(name)
    expect(restarted?.state).toBe('running')
    expect(restarted?.startedAt).not.toBe(first?.startedAt)
  })

  it('creates a container with environment, a read-only bind mount, host networking and labels', async () => {
    const mounted = mkdtempSync(join(dir, 'mount-'))
    writeFileSync(join(mounted, 'greeting.txt'), 'hello from the host')
    const port = await freePort()
    const script = `
      const fs = require('fs');
      console.log('FOO=' + process.env.FOO);
      console.log('greeting=' + fs.readFileSync('/data/greeting.txt', 'utf8'));
      try { fs.writeFileSync('/data/written', 'x'); console.log('write=ok') }
      catch (error) { console.log('write=' + error.code) }
      require('http').createServer((req, res) => res.end('pong')).listen(${port}, '127.0.0.1');`
    const containerSpec = containers.spec('create', script, {
      env: { FOO: 'bar' },
      mounts: [{ source: mounted, target: '/data', readOnly: true }],
      labels: { ...TEST_LABELS, 'rampart.purpose': 'create-test' }
    })
    await engine.createContainer(containerSpec)
    await engine.startContainer(containerSpec.name)

    const answer = await waitFor('the container to answer on 127.0.0.1', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => null)
      return response === null ? undefined : await response.text()
    })
    expect(answer).toBe('pong')
    expect(texts(await readLogLines(engine, containerSpec.name), 'stdout')).toEqual([
      'FOO=bar',
      'greeting=hello from the host',
      'write=EROFS'
    ])
    // The image's own labels are inherited; ours must all be there.
    expect((await engine.inspectContainer(containerSpec.name))?.labels).toMatchObject({
      'rampart.managed': '1',
      'rampart.test': '1',
      'rampart.purpose': 'create-test'
    })
  })

  it('reports health from the HEALTHCHECK: unhealthy, then healthy, in inspect and in the list', async () => {
    const name = await containers.run(engine, 'health', 'setInterval(() => {}, 1000)', {
      healthcheck: {
        test: ['CMD', 'node', '-e', `process.exit(require('fs').existsSync('/tmp/ready') ? 0 : 1)`],
        intervalSeconds: 1,
        timeoutSeconds: 10,
        retries: 1
      }
    })
    await waitFor('unhealthy', async () =>
      (await engine.inspectContainer(name))?.health === 'unhealthy' ? true : undefined
    )
    await engine.exec(name, ['node', '-e', `require('fs').writeFileSync('/tmp/ready', '')`])
    await waitFor('healthy', async () =>
      (await engine.inspectContainer(name))?.health === 'healthy' ? true : undefined
    )
    const listed = await engine.listContainers({ label: 'rampart.test=1' })
    expect(listed.find((container) => container.name === name)).toMatchObject({
      state: 'running',
      health: 'healthy',
      image: NODE_FIXTURE_IMAGE
    })
    expect(listed.find((container) => container.name === stopped)).toMatchObject({ state: 'exited', health: null })
  })

  it('lists only containers carrying the label asked for', async () => {
    const listed = await engine.listContainers({ label: 'rampart.purpose=no-container-has-this' })
    expect(listed).toEqual([])
  })

  it('answers null, false and bad_input for a container that does not exist', async () => {
    expect(await engine.inspectContainer('rampart-test-missing')).toBeNull()
    expect(await engine.removeContainer('rampart-test-missing')).toBe(false)
    await expectRampartError(
      engine.startContainer('rampart-test-missing'),
      'bad_input',
      /No container named "rampart-test-missing"/
    )
  })

  it('refuses a name that is not a container name before any request', async () => {
    await expectRampartError(
      engine.inspectContainer('../images/json'),
      'bad_input',
      /"\.\.\/images\/json" is not a container name/
    )
  })

  it('refuses published ports with host networking, and names a missing image', async () => {
    await expectRampartError(
      engine.createContainer({ ...containers.spec('ports', '0'), ports: [{ containerPort: 80, hostPort: 8080 }] }),
      'bad_input',
      /ports cannot be published with host networking/
    )
    await expectRampartError(
      engine.createContainer({ ...containers.spec('noimage', '0'), image: 'rampart-test/no-such-image:1' }),
      'bad_input',
      /No such image: rampart-test\/no-such-image:1/
    )
  })
})
