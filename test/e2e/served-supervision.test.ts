/**
 * Guards that belong to the rollout, not to a page: `rampart serve` (the BUILT executable) on the
 * demo stack (Postgres and the demo ops-center service in containers on host networking,
 * labelled rampart.test=1, removed afterwards), with no console page open at any time. An injected
 * regression at 25 % is rolled back to 0 % by main's supervision, and the history file says who
 * was notified of what: nobody, since no desktop and no page could show it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { HistoryStore } from '@main/history/history-store'
import { probeHttp } from '@main/platform/http-probe'
import type { HistoryEvent } from '@shared/history-types'
import { RAMPART_BIN, requireBuiltCli, type CliRun } from '@test/fixtures/rampart-cli'
import {
  DEMO_BREACH_WINDOWS,
  DEMO_ENVIRONMENT,
  DEMO_FLAG,
  DEMO_WINDOW_SECONDS,
  demoEnvText,
  demoWorkspaceYaml
} from '@test/support/demo-stack-workspace'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  uniqueContainerName,
  waitFor
} from '@test/support/docker-test-env'

// The supervision starts the watch at once; a trip needs the breaching windows after the
// injection, each decided a window and a second of lateness after it starts, then a restart.
const TRIP_BUDGET_MS = (DEMO_BREACH_WINDOWS + 3) * (DEMO_WINDOW_SECONDS + 1) * 1000 + 30_000

let engine: DockerEngine
let dir: string
let home: string
let baseUrl: string
let serve: ChildProcess | undefined
const names = { service: uniqueContainerName('served-svc'), postgres: uniqueContainerName('served-pg') }

function cliEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    RAMPART_HOME: home,
    RAMPART_ACTOR: 'oncall',
    RAMPART_DEMO_LABELS: 'rampart.test=1',
    ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST })
  }
}

/** The built CLI, asynchronously, so this process stays free while it runs. */
function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAMPART_BIN, ...args], { cwd: dir, env: cliEnv() })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** `rampart serve --json` started, and the address it printed once listening. */
async function startServe(): Promise<{ url: string }> {
  const child = spawn(process.execPath, [RAMPART_BIN, 'serve', '--json'], { cwd: dir, env: cliEnv() })
  serve = child
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const lines = createInterface({ input: child.stdout })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rampart serve printed no address in 30 s: ${stderr}`)), 30_000)
    child.once('exit', (code) => reject(new Error(`rampart serve exited with ${code}: ${stderr}`)))
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line) as { url: string })
    })
  })
}

async function injectFaults(change: object): Promise<void> {
  const response = await fetch(`${baseUrl}/demo/faults`, {
    method: 'POST',
    body: JSON.stringify(change),
    headers: { 'content-type': 'application/json', connection: 'close' }
  })
  expect(response.status).toBe(200)
}

async function servedPercentage(): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/features/${DEMO_FLAG}`, { headers: { connection: 'close' } })
  return ((await response.json()) as { config: { rollout_percentage: number } }).config.rollout_percentage
}

/** The history file as a reviewer reads it, while serve keeps writing it (WAL: readers never block). */
function readHistory<T>(read: (store: HistoryStore) => T): T {
  const store = HistoryStore.open(path.join(home, 'history.db'))
  try {
    return read(store)
  } finally {
    store.close()
  }
}

function events(): HistoryEvent[] {
  return readHistory((store) => store.events.listEvents({ flag: DEMO_FLAG, environment: DEMO_ENVIRONMENT }))
}

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-served-'))
  home = path.join(dir, 'home')
  mkdirSync(home)
  const yaml = demoWorkspaceYaml({
    serviceContainer: names.service,
    postgresContainer: names.postgres,
    baseUrl,
    pgPort: await freePort()
  })
  writeFileSync(path.join(dir, 'rampart.config.yaml'), yaml)
  writeFileSync(path.join(dir, '.env'), demoEnvText(25))
  const up = await runCli(['demo', 'up', '--image-node', NODE_FIXTURE_IMAGE, '--rps', '400', '--users', '40', '--json'])
  expect(up.status, up.stderr).toBe(0)
  await waitFor(
    `${names.service} to answer /health`,
    async () => ((await probeHttp(`${baseUrl}/health`, { timeoutMs: 1000 })).status === 200 ? true : undefined),
    30_000,
    50
  )
}, 180_000)

afterAll(async () => {
  if (serve !== undefined && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve))
    serve.kill('SIGTERM')
    await exited
  }
  if (dir === undefined) return
  const down = await runCli(['demo', 'down', '--json'])
  await removeContainers(engine, Object.values(names))
  engine.close()
  rmSync(dir, { recursive: true, force: true })
  expect(down.status, down.stderr).toBe(0)
}, 90_000)

describe('rampart serve supervises the guards with no page open', () => {
  it(
    'rolls an injected regression at 25 % back to 0 % by itself, ' +
      'and records the trip, the rollback and that nobody could be notified',
    async () => {
      const started = await startServe()
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/)
      // Healthy windows first: the supervision judges them without anyone looking.
      const windows = (): number =>
        readHistory((store) => store.guardWindows.listGuardWindows(DEMO_FLAG, DEMO_ENVIRONMENT).length)
      await waitFor('a decided guard window', () => Promise.resolve(windows() > 0 ? true : undefined), 30_000, 200)
      await injectFaults({ treatment: { failure_rate: 0.3 } })
      await waitFor(
        'the automatic rollback by rampart',
        () => Promise.resolve(events().some((event) => event.kind === 'rollback') ? true : undefined),
        TRIP_BUDGET_MS,
        200
      )
      // The rollback is recorded, then applied: the service restarts to read its env file (faults gone
      // with the old process). Until the new process answers, the old one may still serve 25 %.
      await waitFor(
        `${names.service} to serve 0 % after its restart`,
        async () => ((await servedPercentage().catch(() => null)) === 0 ? true : undefined),
        30_000,
        100
      )

      expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain('FEATURE_LLM_HUB_ROLLOUT=0\n')
      const timeline = events().filter((event) => ['guard_trip', 'rollback', 'notification'].includes(event.kind))
      const trip = timeline.find((event) => event.kind === 'guard_trip')!
      const rollback = timeline.find((event) => event.kind === 'rollback')!
      expect(trip).toMatchObject({ actor: 'rampart', outcome: 'tripped' })
      expect(rollback).toMatchObject({ actor: 'rampart', outcome: 'applied' })
      expect(rollback.seq).toBeGreaterThan(trip.seq)
      expect(rollback.reason).toMatch(/^guard trip: treatment error rate 0\.\d+ > 0\.05/)

      const tripNotice = timeline.find(
        (event) => event.kind === 'notification' && (event.detail as { level?: string }).level === 'trip'
      )
      expect(tripNotice).toMatchObject({
        actor: 'rampart',
        reason: `Guards tripped: ${DEMO_FLAG} (${DEMO_ENVIRONMENT})`,
        outcome: 'nobody_notified',
        detail: { notified: [], desktop: 'none (browser mode)', consolePages: 0 }
      })
    },
    TRIP_BUDGET_MS + 60_000
  )
})
