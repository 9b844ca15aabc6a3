/**
 * `demo up` / `demo down` against the real Docker engine with the fixture images: containers on
 * host networking listening on 127.0.0.1 only, labelled rampart.test=1, removed afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { EnvFileFlagSource } from '@main/flags/env-file-source'
import { demoTestBudget } from '@test/support/demo-stack-workspace'
import { HistoryStore } from '@main/history/history-store'
import { PostgresTarget } from '@main/database/postgres-target'
import { loadWorkspace } from '@main/workspace/workspace-file'
import { SEED_FLAG_ENV_MAPPING } from '@main/flags/core/flag-env-mapping'
import { DemoStack } from '@main/demo/demo-stack'
import { DockerEngines } from '@main/docker/docker-engines'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import { systemClock } from '@main/platform/clock'
import type { RunbookProgress } from '@shared/runbook-types'
import { DEMO_ENV_TEMPLATE } from '@test/support/demo-service-process'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from '@test/support/docker-test-env'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'
const PG_PASSWORD = 'demo-test-password'
const UP_TIMEOUT_MS = 180_000

let engine: DockerEngine
let dir: string
let history: HistoryStore
let engines: DockerEngines
let stack: DemoStack
const progress: RunbookProgress[] = []
const names = {
  service: uniqueContainerName('demo-svc'),
  postgres: uniqueContainerName('demo-pg'),
  foreign: uniqueContainerName('demo-foreign'),
  otherPostgres: uniqueContainerName('demo-pg-other'),
  brokenService: uniqueContainerName('demo-svc-broken'),
  brokenPostgres: uniqueContainerName('demo-pg-broken')
}
let port: number
let pgPort: number
let envFile: string

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-demo-stack-'))
  port = await freePort()
  pgPort = await freePort()
  envFile = path.join(dir, 'config', 'demo.env')
  const brokenPgPort = await freePort()
  writeFileSync(path.join(dir, 'broken.env'), 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=abc\n')
  const workspaceFile = path.join(dir, 'rampart.config.yaml')
  writeFileSync(
    workspaceFile,
    [
      'default_environment: demo',
      'environments:',
      '  demo:',
      `    service: { container: ${names.service}, health_url: "http://127.0.0.1:${port}/health" }`,
      '    flag_source: { kind: env-file, path: ./config/demo.env }',
      `    postgres: { container: ${names.postgres}, image: "${POSTGRES_FIXTURE_IMAGE}", port: ${pgPort}, ` +
        'network: host, password: "${DEMO_TEST_PG_PASSWORD}", disposable: true }',
      '  other:',
      `    service: { container: ${names.foreign} }`,
      '    flag_source: { kind: env-file, path: ./other.env }',
      `    postgres: { container: ${names.otherPostgres}, image: "${POSTGRES_FIXTURE_IMAGE}", ` +
        'network: host, password: "${DEMO_TEST_PG_PASSWORD}" }',
      '  broken:',
      `    service: { container: ${names.brokenService} }`,
      '    flag_source: { kind: env-file, path: ./broken.env }',
      `    postgres: { container: ${names.brokenPostgres}, image: "${POSTGRES_FIXTURE_IMAGE}", ` +
        `port: ${brokenPgPort}, network: host, password: "\${DEMO_TEST_PG_PASSWORD}" }`,
      ''
    ].join('\n')
  )
  const workspace = loadWorkspace({ explicitPath: workspaceFile, cwd: dir, env: {} })
  history = HistoryStore.open(path.join(dir, 'history.db'))
  const bus = new ProgressBus()
  bus.subscribe((notice) => progress.push(notice))
  engines = new DockerEngines(workspace, process.env)
  stack = new DemoStack({
    workspace,
    env: { DEMO_TEST_PG_PASSWORD: PG_PASSWORD },
    docker: engines,
    runbooks: new RunbookRunner({ history, bus, clock: systemClock, actor: 'tester' }),
    history,
    containerLabels: TEST_LABELS,
    readyTimeoutMs: 90_000
  })
}, UP_TIMEOUT_MS)

afterAll(async () => {
  await removeContainers(engine, Object.values(names))
  engines.close()
  engine.close()
  history.close()
  rmSync(dir, { recursive: true, force: true })
})

async function health(): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}/health`)
  return (await response.json()) as Record<string, unknown>
}

async function logLines(container: string): Promise<string[]> {
  const lines: string[] = []
  for await (const batch of engine.logs(container, { tail: 500 })) for (const line of batch) lines.push(line.text)
  return lines
}

function up(): ReturnType<DemoStack['up']> {
  return stack.up({ nodeImage: NODE_FIXTURE_IMAGE, traffic: { rps: 50, seed: 'demo-stack-test' } })
}

describe('DemoStack against the real engine', () => {
  it(
    'brings up Postgres and the service on 127.0.0.1, creating the env file from the template, ' +
      'with a progress line per step',
    async () => {
      const result = await up()
      expect(result.envFile).toEqual({ path: envFile, created: true })
      expect(readFileSync(envFile, 'utf8')).toBe(readFileSync(DEMO_ENV_TEMPLATE, 'utf8'))
      expect(result.postgres).toMatchObject({
        container: names.postgres,
        status: 'created',
        demoOwned: true,
        port: pgPort
      })
      expect(result.service).toMatchObject({
        container: names.service,
        image: NODE_FIXTURE_IMAGE,
        status: 'created',
        url: `http://127.0.0.1:${port}`
      })
      expect(await health()).toMatchObject({ status: 'ok', flags_loaded: [FLAG], env_file: envFile })
      const target = new PostgresTarget({
        host: '127.0.0.1',
        port: pgPort,
        user: 'unicorn',
        password: PG_PASSWORD,
        database: 'unicorn_test'
      })
      expect(await target.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }])
      expect(progress.filter((notice) => notice.kind === 'step_done').map((notice) => notice.step)).toEqual([
        'env file',
        `postgres container ${names.postgres}`,
        'postgres ready',
        `demo service container ${names.service}`,
        'demo service health'
      ])
      expect(progress.every((notice) => notice.kind !== 'step_done' || typeof notice.durationMs === 'number')).toBe(
        true
      )
    },
    UP_TIMEOUT_MS
  )

  it('labels its containers rampart.demo=1 beside the caller’s labels', async () => {
    for (const name of [names.service, names.postgres]) {
      expect((await engine.inspectContainer(name))?.labels).toMatchObject({
        'rampart.demo': '1',
        'rampart.managed': '1',
        'rampart.test': '1'
      })
    }
  })

  it('serves the flag as the mounted env file sets it', async () => {
    const state = (await new EnvFileFlagSource({ path: envFile, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } }).read(FLAG))
      .state
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/features/${FLAG}`)
    expect(((await response.json()) as { config: unknown }).config).toEqual(state)
  })

  it('writes API_CALL JSON lines with the canonical fields to its log', async () => {
    const call = await waitFor('an API_CALL line in the log', async () => {
      for (const line of await logLines(names.service)) {
        if (!line.startsWith('{')) continue
        const event = JSON.parse(line) as Record<string, unknown>
        if (event.event_type === 'API_CALL' && event.source === undefined) return event
      }
      return undefined
    })
    expect(Object.keys(call)).toEqual([
      'timestamp',
      'event_type',
      'user_id',
      'status_code',
      'duration_ms',
      'endpoint',
      'method',
      'flags'
    ])
    expect(typeof (call.flags as Record<string, unknown>)[FLAG]).toBe('boolean')
  })

  it(
    'reuses the running containers when brought up again',
    async () => {
      const before = await Promise.all([names.service, names.postgres].map((name) => engine.inspectContainer(name)))
      const result = await up()
      expect(result.envFile.created).toBe(false)
      expect(result.postgres.status).toBe('running')
      expect(result.service.status).toBe('running')
      const after = await Promise.all([names.service, names.postgres].map((name) => engine.inspectContainer(name)))
      expect(after.map((info) => [info?.id, info?.startedAt])).toEqual(
        before.map((info) => [info?.id, info?.startedAt])
      )
    },
    UP_TIMEOUT_MS
  )

  it('serves an env file replaced by an atomic write once the container restarts', async () => {
    const source = new EnvFileFlagSource({ path: envFile, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } })
    const read = await source.read(FLAG)
    await source.write(FLAG, { rollout_percentage: 25 }, read.revision)
    await engine.restartContainer(names.service, { timeoutSeconds: 10 })
    const config = await waitFor('the restarted service to serve rollout 25', async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/features/${FLAG}`)
        const body = (await response.json()) as { config: { rollout_percentage: number } }
        return body.config.rollout_percentage === 25 ? body.config : undefined
      } catch {
        return undefined
      }
    })
    expect(config.rollout_percentage).toBe(25)
  })

  it('records its Docker actions in the history file', () => {
    const actions = history.operations.listDockerActions({ environment: 'demo' }).reverse()
    expect(actions.map((action) => `${action.action} ${action.container} ${action.outcome}`)).toEqual([
      `create ${names.postgres} succeeded`,
      `start ${names.postgres} succeeded`,
      `create ${names.service} succeeded`,
      `start ${names.service} succeeded`
    ])
    expect(JSON.stringify(actions)).not.toContain(PG_PASSWORD)
  })

  it(
    'refuses up and down for a container of the service’s name that demo up did not create, ' + 'and leaves it',
    async () => {
      await engine.createContainer({
        name: names.foreign,
        image: NODE_FIXTURE_IMAGE,
        env: {},
        cmd: ['node', '-e', '0'],
        network: 'host',
        labels: TEST_LABELS
      })
      const refusedUp = await rejectionOf(stack.up({ environment: 'other', nodeImage: NODE_FIXTURE_IMAGE }))
      expect(refusedUp.code).toBe('refused')
      expect(refusedUp.message).toContain(`A container named "${names.foreign}" already exists`)
      const refusedDown = await rejectionOf(stack.down({ environment: 'other' }))
      expect(refusedDown.code).toBe('refused')
      expect(refusedDown.message).toContain(`A container named "${names.foreign}" exists`)
      expect(refusedDown.message).toContain('no rampart.demo=1 label')
      expect(await engine.inspectContainer(names.foreign)).not.toBeNull()
      expect(await engine.inspectContainer(names.otherPostgres)).toBeNull()
    }
  )

  it(
    'stops at the env file step when a flag value is unreadable, ' +
      'naming the variable and line, and creates nothing',
    async () => {
      const error = await rejectionOf(stack.up({ environment: 'broken', nodeImage: NODE_FIXTURE_IMAGE }))
      expect(error.message).toContain(
        `FEATURE_LLM_HUB_ROLLOUT=abc in ${path.join(dir, 'broken.env')} line 2 is not a percentage`
      )
      expect(await engine.inspectContainer(names.brokenService)).toBeNull()
      expect(await engine.inspectContainer(names.brokenPostgres)).toBeNull()
    }
  )

  it('refuses to create the service on a port another process holds, naming the port', async () => {
    const holder = createServer()
    const busy = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port))
    )
    try {
      const error = await rejectionOf(stack.up({ environment: 'broken', nodeImage: NODE_FIXTURE_IMAGE, port: busy }))
      expect(error.code).toBe('refused')
      expect(error.message).toBe(
        `Port ${busy} on 127.0.0.1 is in use by another process, ` +
          'so it cannot serve the demo service (choose another with --port)'
      )
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })

  it(
    'removes exactly the demo’s containers on down, and nothing on a second down',
    async () => {
      const result = await stack.down({ environment: 'demo' })
      expect(result.removed).toEqual([names.service, names.postgres])
      expect(result.kept).toEqual([])
      const remaining = (await engine.listContainers()).map((container) => container.name)
      expect(remaining).not.toContain(names.service)
      expect(remaining).not.toContain(names.postgres)
      // Other containers are not its business: the foreign one is still there, and no other name was acted on.
      expect(remaining).toContain(names.foreign)
      const touched = new Set(
        history.operations
          .listDockerActions()
          .filter((action) => action.outcome === 'succeeded')
          .map((action) => action.container)
      )
      expect([...touched].sort()).toEqual([names.postgres, names.service].sort())
      const again = await stack.down({ environment: 'demo' })
      expect(again).toMatchObject({ removed: [], kept: [], absent: [names.service, names.postgres] })
    },
    // Two containers stopped (each within its stop timeout) and removed, then nothing on the second down.
    demoTestBudget({ decisions: 0, restarts: 2, cliRuns: 0 })
  )
})
