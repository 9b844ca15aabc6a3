/**
 * The console keeps the guarded rollout running: in Chromium over browser mode, on the real demo
 * stack (`rampart demo up` through the BUILT executable: Postgres and the demo ops-center service
 * in containers on host networking, labelled rampart.test=1, removed afterwards), with short guard
 * windows (2 s, decided 1 s after they end) and brisk traffic. While the rollout page is open the
 * panel subscribes to `rollout.watch`: it waits while another watch holds the flag's guards, shows
 * the windows as main decides them, and on an injected regression at 25 % shows the automatic
 * rollback to 0 % that main took, as `rampart`, on the console operator's behalf.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { probeHttp } from '@main/platform/http-probe'
import { createAppContext } from '@main/app/app-context'
import type { HistoryEvent } from '@shared/history-types'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import { RAMPART_BIN, requireBuiltCli, type CliRun } from '../fixtures/rampart-cli'
import { FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import { DEMO_ENVIRONMENT, demoEnvText, demoWorkspaceYaml } from '../support/demo-stack-workspace'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  uniqueContainerName,
  waitFor
} from '../support/docker-test-env'

const ENVIRONMENT = DEMO_ENVIRONMENT
const ACTOR = 'e2e'
// Ten whitelisted testers among 40 simulated users: treatment has data in every 2 s window.
/** A trip needs two breaching windows after the injection; each is decided 3 s after it starts. */
const LIVE = { timeout: 40_000, interval: 100 }
/** How long main takes to take over a watch another process freed: its 10 s retry, with slack. */
const TAKEOVER = { timeout: 15_000, interval: 100 }

/**
 * A test's budget is the sum of the bounds of what it waits for (not the global 30 s, which three
 * live waits of windows outlast), plus a little for the clicks between them.
 */
function budget(...waits: Array<{ timeout: number }>): number {
  return waits.reduce((sum, wait) => sum + wait.timeout, 10_000)
}

let engine: DockerEngine
let session: ConsoleSession
let baseUrl: string
let demoHome: string
const names = { service: uniqueContainerName('console-watch-svc'), postgres: uniqueContainerName('console-watch-pg') }

/** The built CLI, asynchronously, so the console's server in this process keeps answering. */
function runCli(args: string[]): Promise<CliRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    RAMPART_HOME: demoHome,
    RAMPART_ACTOR: 'demo-admin',
    RAMPART_DEMO_LABELS: 'rampart.test=1',
    ...(process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST })
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAMPART_BIN, ...args], { cwd: session.dir, env })
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

async function injectFaults(change: object): Promise<void> {
  const response = await fetch(`${baseUrl}/demo/faults`, {
    method: 'POST',
    body: JSON.stringify(change),
    headers: { 'content-type': 'application/json', connection: 'close' }
  })
  expect(response.status).toBe(200)
}

/** What the running service serves: the rollout it read from the env file at its last start. */
async function servedPercentage(): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/features/${FLAG}`, { headers: { connection: 'close' } })
  return ((await response.json()) as { config: { rollout_percentage: number } }).config.rollout_percentage
}

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  const port = await freePort()
  const pgPort = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  // The rollout stands at 25 % before the service starts: the console observes it there.
  session = await openConsole({
    workspaceYaml: demoWorkspaceYaml({
      serviceContainer: names.service,
      postgresContainer: names.postgres,
      baseUrl: `http://127.0.0.1:${port}`,
      pgPort
    }),
    envText: demoEnvText(25),
    actor: ACTOR
  })
  demoHome = path.join(session.dir, 'demo-home')
  mkdirSync(demoHome)
  const up = await runCli([
    'demo',
    'up',
    '--image-node',
    NODE_FIXTURE_IMAGE,
    '--rps',
    '400',
    '--users',
    '40',
    '--seed',
    'console-guard-watch',
    '--json'
  ])
  expect(up.status, up.stderr).toBe(0)
  await waitFor(
    `${names.service} to answer /health`,
    async () => ((await probeHttp(`${baseUrl}/health`, { timeoutMs: 1000 })).status === 200 ? true : undefined),
    30_000,
    50
  )
}, 180_000)

afterAll(async () => {
  if (session === undefined) return
  // The page goes first, so the watch it holds stops before the service is removed under it.
  await session.page.close()
  const down = await runCli(['demo', 'down', '--json'])
  await removeContainers(engine, Object.values(names))
  engine.close()
  await session.close()
  expect(down.status, down.stderr).toBe(0)
}, 60_000)

const page = () => session.page
const panel = () => page().getByTestId(`rollout-panel-${FLAG}`)
const indicator = () => panel().getByTestId('guard-watch')
const windowRows = () => panel().getByTestId('guard-window-row')
const banner = () => panel().getByTestId('guard-action-banner')

function events(): HistoryEvent[] {
  return session.context.services.history.list({ flag: FLAG, environment: ENVIRONMENT })
}

function percentageOf(state: unknown): unknown {
  return (state as { rollout_percentage?: unknown } | null)?.rollout_percentage
}

describe('the console watches the guards of the rollout it shows', () => {
  it(
    'while another operator’s watch holds the flag’s guards, ' +
      'names them, and takes over within 10 s of it stopping',
    async () => {
      // Bob's watch, on the same history file: the lock is his until he stops.
      const bob = await createAppContext({
        workspacePath: path.join(session.dir, 'rampart.config.yaml'),
        env: { ...process.env, RAMPART_HOME: path.join(session.dir, 'home'), RAMPART_WORKSPACE: '' },
        cwd: session.dir,
        actor: 'bob'
      })
      const stop = new AbortController()
      const bobNotices: RolloutWatchNotice[] = []
      const bobWatch = bob.services.rolloutOrchestrator.watch(
        { flag: FLAG },
        (notice) => void bobNotices.push(notice),
        stop.signal
      )
      try {
        await waitFor(
          'bob’s watch to start',
          () => Promise.resolve(bobNotices.some((notice) => notice.kind === 'watching') ? true : undefined),
          20_000,
          50
        )
        await page().getByRole('button', { name: 'Rollout', exact: true }).click()
        await expect.poll(() => indicator().getAttribute('data-state'), WAIT).toBe('held')
        expect(await indicator().textContent()).toMatch(
          new RegExp(
            `^Guards are watched by bob \\(pid ${process.pid} on .+, since .+\\) — ` +
              'that watch takes the action on a trip; trying again every 10 s$'
          )
        )
        expect(await panel().getByTestId('phase-now').textContent()).toBe('25 %')
      } finally {
        stop.abort()
        await bobWatch
        bob.close()
      }
      await expect.poll(() => indicator().getAttribute('data-state'), TAKEOVER).toBe('live')
      expect(await indicator().textContent()).toBe(
        `Guards watched live service ${names.service}: 2 s windows, decided 1 s after they end; on a trip: rollback`
      )
    },
    budget({ timeout: 20_000 }, WAIT, TAKEOVER)
  )

  it(
    'shows the windows main decides as they arrive: ' + 'the table grows, newest first, and the chart draws them',
    async () => {
      await expect.poll(() => windowRows().count(), LIVE).toBeGreaterThanOrEqual(2)
      const before = await windowRows().count()
      await expect.poll(() => windowRows().count(), LIVE).toBeGreaterThan(before)
      const newest = windowRows().first()
      expect(await newest.getAttribute('data-decision')).toBe('pass')
      const cells = await newest.locator('td').allTextContents()
      // Window start, treatment requests / error rate / p95, control requests / error rate / p95, decision.
      expect(cells).toHaveLength(8)
      expect(cells[0]).toMatch(/^\d\d:\d\d:\d\d$/)
      expect(Number(cells[1])).toBeGreaterThanOrEqual(20)
      expect(cells[2]).toMatch(/^\d+\.\d %$/)
      expect(cells[3]).toMatch(/^\d+ ms$/)
      expect(Number(cells[4])).toBeGreaterThanOrEqual(20)
      expect(await newest.locator('.guard-window-decision summary').textContent()).toBe('pass')
      // The demo's baseline is 1 % failures, so a 2 s window may well have none: the rate is 0 or a fraction.
      expect(await newest.locator('.guard-window-decision').getAttribute('title')).toMatch(
        /^treatment error rate (0|0\.\d+) ≤ 0\.05\n/
      )
      const starts = await windowRows()
        .locator('td:first-child')
        .evaluateAll((tds) => tds.map((td) => Date.parse(td.getAttribute('title') ?? '')))
      expect(starts).toEqual([...starts].sort((a, b) => b - a))
      const chart = panel().getByTestId('guard-window-chart')
      expect(await chart.locator('canvas').count()).toBe(1)
      expect(await chart.locator('.u-legend').textContent()).toContain('Treatment error rate')
      // The guards pass at 25 %: the status, read again after each window, says so.
      await expect.poll(() => panel().getByTestId('guard-verdict').textContent(), LIVE).toBe('PASS')
    },
    budget(LIVE, LIVE, LIVE)
  )

  it(
    'on a 20 % treatment failure rate at 25 %, ' +
      'shows the automatic rollback to 0 % in a red banner and 0 % on the phase path',
    async () => {
      await injectFaults({ treatment: { failure_rate: 0.2 } })
      await expect.poll(() => banner().count(), LIVE).toBe(1)
      expect(await banner().getAttribute('data-outcome')).toBe('applied')
      expect(await banner().getAttribute('class')).toContain('guard-action-severe')
      expect(await banner().locator('.guard-action-headline').textContent()).toMatch(
        /^Guard trip at 25 %: rolled back to 0 % automatically at \d\d:\d\d:\d\d — treatment error rate 0\.\d+ > 0\.05; 2 breaches in a row \(breach_windows 2\): trip$/
      )
      expect(await banner().locator('.guard-action-message').first().textContent()).toMatch(
        new RegExp(`^${FLAG} rolled back: 25 % -> 0 % \\(event #\\d+\\); .+ \\(trip event #\\d+, move event #\\d+\\)$`)
      )
      await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('0 %')
      expect(await panel().locator('li[aria-current="step"]').textContent()).toBe('0 %')

      // The trip is in the table; its reasons open from the decision.
      const trip = windowRows().and(page().locator('[data-decision="trip"]'))
      expect(await trip.count()).toBe(1)
      await trip.locator('summary').click()
      expect(await trip.locator('.guard-window-reasons li').allTextContents()).toContain(
        '2 breaches in a row (breach_windows 2): trip'
      )
      expect(await indicator().getAttribute('data-state')).toBe('live')
      // The header is sticky: from the top, so it does not cover the banner in the full-page picture.
      await page().evaluate('window.scrollTo(0, 0)')
      await session.screenshot('console-guard-watch')
    },
    budget(LIVE, WAIT)
  )

  it(
    'leaves 0 % in the .env and in the service, ' +
      'and the trip and the rollback by rampart, run by the console’s operator, in history',
    async () => {
      expect(session.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT=0\n')
      expect(await servedPercentage()).toBe(0)
      const timeline = events().filter((event) => event.kind === 'guard_trip' || event.kind === 'rollback')
      expect(
        timeline.map((event) => [event.kind, event.actor, percentageOf(event.fromState), percentageOf(event.toState)])
      ).toEqual([
        ['guard_trip', 'rampart', undefined, undefined],
        ['rollback', 'rampart', 25, 0]
      ])
      const rollback = timeline[1]!
      expect(rollback.reason).toMatch(/^guard trip: treatment error rate 0\.\d+ > 0\.05/)
      expect(rollback.detail).toMatchObject({ move: 'rollback', runBy: ACTOR })
      expect(rollback.outcome).toBe('applied')
      expect(session.context.services.history.verify().ok).toBe(true)
    }
  )

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
