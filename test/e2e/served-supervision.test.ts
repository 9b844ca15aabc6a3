/**
 * Guards that belong to the rollout, not to a page: `rampart serve` (the BUILT executable) on the
 * demo stack (Postgres and the demo ops-center service in containers on host networking,
 * labelled rampart.test=1, removed afterwards), with no console page open at any time. An injected
 * regression at 25 % is rolled back to 0 % by main's supervision, and the history file says who
 * was notified of what: nobody, since no desktop and no page could show it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { HistoryStore } from '@main/history/history-store'
import type { HistoryEvent } from '@shared/history-types'
import {
  requireBuiltCli,
  runRampartAsync,
  startRampartServe,
  type CliRun,
  type ServedConsole
} from '@test/fixtures/rampart-cli'
import { demoCliEnv, injectDemoFaults, servedPercentage, waitUntilDemoServing } from '@test/support/demo-stack-client'
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
let serve: ServedConsole | undefined
const names = { service: uniqueContainerName('served-svc'), postgres: uniqueContainerName('served-pg') }

/** The built CLI, asynchronously, so this process stays free while it runs. */
function runCli(args: string[]): Promise<CliRun> {
  return runRampartAsync(args, { cwd: dir, env: demoCliEnv(home, 'oncall'), timeoutMs: 90_000 })
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
  await waitUntilDemoServing(baseUrl, names.service)
}, 180_000)

afterAll(async () => {
  await serve?.stop()
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
      serve = await startRampartServe({ cwd: dir, env: demoCliEnv(home, 'oncall') })
      expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/)
      // Healthy windows first: the supervision judges them without anyone looking.
      const windows = (): number =>
        readHistory((store) => store.guardWindows.listGuardWindows(DEMO_FLAG, DEMO_ENVIRONMENT).length)
      await waitFor('a decided guard window', () => Promise.resolve(windows() > 0 ? true : undefined), 30_000, 200)
      await injectDemoFaults(baseUrl, { treatment: { failure_rate: 0.3 } })
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
        async () => ((await servedPercentage(baseUrl).catch(() => null)) === 0 ? true : undefined),
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
