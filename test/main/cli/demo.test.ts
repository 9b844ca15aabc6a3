/**
 * `rampart demo up|down` through the command line's own entry (runCli, in this process), against
 * the real engine with the fixture images; the containers carry rampart.test=1 through
 * RAMPART_DEMO_LABELS and are removed afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { runCli } from '@main/cli/run-cli'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  uniqueContainerName
} from '@test/support/docker-test-env'

const UP_TIMEOUT_MS = 180_000
let engine: DockerEngine
let dir: string
let port: number
const names = { service: uniqueContainerName('cli-demo-svc'), postgres: uniqueContainerName('cli-demo-pg') }

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function rampart(args: string[]): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
  const env: NodeJS.ProcessEnv = {
    RAMPART_HOME: path.join(dir, 'home'),
    RAMPART_ACTOR: 'tester',
    RAMPART_DEMO_NODE_IMAGE: NODE_FIXTURE_IMAGE,
    RAMPART_DEMO_LABELS: 'rampart.test=1',
    CLI_DEMO_PG_PASSWORD: 'cli-demo-password'
  }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  const code = await runCli(args, { stdout, stderr, env, cwd: dir, isTty: false })
  return { code, stdout: out, stderr: err }
}

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-cli-demo-'))
  port = await freePort()
  const pgPort = await freePort()
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    [
      'environments:',
      '  local:',
      `    service: { container: ${names.service}, health_url: "http://127.0.0.1:${port}/health" }`,
      `    postgres: { container: ${names.postgres}, image: "${POSTGRES_FIXTURE_IMAGE}", port: ${pgPort}, ` +
        'network: host, password: "${CLI_DEMO_PG_PASSWORD}" }',
      ''
    ].join('\n')
  )
})

afterAll(async () => {
  await removeContainers(engine, Object.values(names))
  engine.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('rampart demo', () => {
  it('refuses a port out of range before touching Docker, naming the option', async () => {
    const run = await rampart(['demo', 'up', '--port', '70000'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--port 70000 is not a whole number from 1 to 65535')
  })

  it('refuses an image reference that is not one, naming the option', async () => {
    const run = await rampart(['demo', 'up', '--image-node', 'node 18'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--image-node must be an image reference such as node:18-slim')
  })

  it(
    'demo up --json prints a progress line per step and then the result, creating ./.env from the template',
    async () => {
      const run = await rampart(['demo', 'up', '--json', '--rps', '20'])
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      const done = lines.filter((line) => line.event === 'progress' && line.kind === 'step_done')
      expect(done).toHaveLength(5)
      const result = lines.at(-1) as {
        event: string
        result: { service: { url: string }; envFile: { path: string; created: boolean } }
      }
      expect(result.event).toBe('result')
      expect(result.result.service.url).toBe(`http://127.0.0.1:${port}`)
      expect(result.result.envFile).toEqual({ path: path.join(dir, '.env'), created: true })
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
    },
    UP_TIMEOUT_MS
  )

  it(
    'demo up again shows each step with ✓ and its duration, and what is where',
    async () => {
      const run = await rampart(['demo', 'up'])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/✓ \[1\/5\] env file {2}\d+ ms — using /)
      expect(run.stdout).toContain(`${names.service} is running; reused`)
      expect(run.stdout).toContain(`demo is up (environment local)`)
      expect(run.stdout).toContain(`  health    http://127.0.0.1:${port}/health`)
      expect(run.stdout).toContain(`  logs      rampart logs ${names.service} --follow --event-type API_CALL`)
      expect(run.stdout).not.toContain('cli-demo-password')
    },
    UP_TIMEOUT_MS
  )

  it('demo down removes both containers and says so; a second down has nothing to remove', async () => {
    const first = await rampart(['demo', 'down'])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`removed ${names.service}, ${names.postgres}`)
    expect(await engine.inspectContainer(names.service)).toBeNull()
    const second = await rampart(['demo', 'down'])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('nothing to remove for environment local')
  })
})
