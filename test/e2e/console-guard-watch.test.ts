/**
 * The on-call's whole incident in the console, on the real demo stack (`rampart demo up` through
 * the BUILT executable: Postgres and the demo ops-center service in containers on host networking,
 * labelled rampart.test=1, removed afterwards), with short guard windows (2 s, decided 1 s after
 * they end) and brisk traffic. Main supervises the guards from start-up, as `rampart serve` does;
 * the page only follows: windows decided while another page was open, a watch another operator
 * holds, a browser notification and the title on a trip, the automatic rollback to 0 %, then the
 * recovery from the console: an emergency kill, Enable at 0 % and Adopt after a hand edit.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { createAppContext } from '@main/app/app-context'
import type { HistoryEvent } from '@shared/history-types'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import { requireBuiltCli, runRampartAsync, type CliRun } from '../fixtures/rampart-cli'
import { checkAccessibility } from '../support/axe-check'
import { FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import { demoCliEnv, injectDemoFaults, servedPercentage, waitUntilDemoServing } from '../support/demo-stack-client'
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
/** A trip needs two breaching windows after the injection; each is decided 3 s after it starts. */
const LIVE = { timeout: 40_000, interval: 100 }
/** Main deciding its first windows after the demo service starts: two windows and their lateness, with slack. */
const FIRST_WINDOWS = { timeout: 40_000 }

/**
 * A test's budget is the sum of the bounds of what it waits for (the global 30 s would cut a
 * test that waits for live windows on a busy machine), plus a little for the clicks between them.
 */
function budget(...waits: Array<{ timeout: number }>): number {
  return waits.reduce((sum, wait) => sum + wait.timeout, 10_000)
}
/** The built CLI, asynchronously, so the console's server in this process keeps answering. */
function runCli(args: string[]): Promise<CliRun> {
  return runRampartAsync(args, { cwd: session.dir, env: demoCliEnv(demoHome, 'demo-admin'), timeoutMs: 90_000 })
}

/** Main's supervision, quicker than the app's: a flag's state read every 0.5 s, a failed watch retried after 2 s. */
const PACE = { pollMs: 500, retryMs: 2000 }

let engine: DockerEngine
let session: ConsoleSession
let baseUrl: string
let demoHome: string
const names = { service: uniqueContainerName('console-watch-svc'), postgres: uniqueContainerName('console-watch-pg') }

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  const port = await freePort()
  const pgPort = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  // The rollout stands at 25 % before the service starts; main supervises from the start, as `rampart serve` does.
  session = await openConsole({
    workspaceYaml: demoWorkspaceYaml({
      serviceContainer: names.service,
      postgresContainer: names.postgres,
      baseUrl: `http://127.0.0.1:${port}`,
      pgPort
    }),
    envText: demoEnvText(25),
    actor: ACTOR,
    supervise: PACE
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
  await waitUntilDemoServing(baseUrl, names.service)
}, 180_000)

afterAll(async () => {
  if (session === undefined) return
  await session.page.close()
  await session.context.services.supervisor.stop()
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
const outcome = () => panel().getByTestId('move-outcome')

function events(): HistoryEvent[] {
  return session.context.services.history.list({ flag: FLAG, environment: ENVIRONMENT })
}

function percentageOf(state: unknown): unknown {
  return (state as { rollout_percentage?: unknown } | null)?.rollout_percentage
}

/** The panel's verdict and the windows it shows, read in one go (the page keeps updating). */
function panelReading(): Promise<{ verdict: string; note: string; rows: number; earlier: number }> {
  return panel().evaluate((element) => ({
    verdict: element.querySelector('[data-testid="guard-verdict"]')?.textContent ?? '',
    note: element.querySelector('[data-testid="guard-verdict-note"]')?.textContent ?? '',
    rows: element.querySelectorAll('[data-testid="guard-window-row"]').length,
    earlier: element.querySelectorAll('[data-testid="guard-window-row"][data-earlier-phase="true"]').length
  }))
}

async function move(testId: string, reason: string): Promise<void> {
  await panel().getByTestId(testId).click()
  await page().getByLabel('Reason for this move (recorded)').fill(reason)
  await page().getByLabel('Reason for this move (recorded)').press('Enter')
}

describe('the console follows main’s guard supervision through an incident', () => {
  it(
    'shows windows main decided while another page was open, marked as before the phase it first sees, ' +
      'and a verdict that agrees with them, not "NO DATA"',
    async () => {
      await waitFor(
        'main to decide windows before the Rollout page opens',
        () =>
          Promise.resolve(
            session.context.services.store.guardWindows.listGuardWindows(FLAG, ENVIRONMENT).length >= 2
              ? true
              : undefined
          ),
        FIRST_WINDOWS.timeout,
        100
      )
      await expect.poll(() => page().title(), WAIT).toBe('All guards quiet — Rampart')
      await page().getByRole('button', { name: 'Rollout', exact: true }).click()
      // The console sees this rollout for the first time now: its phase starts now, the earlier windows do not count.
      await expect
        .poll(async () => {
          const reading = await panelReading()
          return reading.verdict === 'NO VERDICT YET' && reading.rows >= 2 && reading.earlier === reading.rows
            ? reading.note
            : null
        }, WAIT)
        .toMatch(/^No window of this phase decided yet: .*The windows below marked “before this phase” do not count/)
      await session.screenshot('console-rollout-windows-before-phase')
      // Then the phase's own windows pass, and the verdict says so beside them.
      await expect.poll(() => panel().getByTestId('guard-verdict').textContent(), LIVE).toBe('PASS')
      expect(await windowRows().first().getAttribute('data-earlier-phase')).toBe('false')
      expect(await windowRows().first().getAttribute('data-decision')).toBe('pass')
    },
    budget(FIRST_WINDOWS, LIVE, WAIT, WAIT)
  )

  it(
    'shows the windows as they arrive: the table newest first, ' + 'the chart with the limits they were judged by',
    async () => {
      const before = await windowRows().count()
      await expect.poll(() => windowRows().count(), LIVE).toBeGreaterThan(before)
      const newest = windowRows().first()
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
      const legend = await chart.locator('.u-legend').textContent()
      for (const series of ['Treatment error rate', 'Control error rate', 'Error-rate limit', 'p95 limit'])
        expect(legend).toContain(series)
      expect(await chart.getAttribute('data-trip-windows')).toBe('0')
      expect(await indicator().getAttribute('data-state')).toBe('watching')
      expect(await indicator().textContent()).toBe(
        `Guards watched live service ${names.service}: 2 s windows, decided 1 s after they end; on a trip: rollback`
      )
      expect((await checkAccessibility(page(), 'console-rollout-live-guards')).serious).toEqual([])
      await session.screenshot('console-rollout-live-guards')
    },
    budget(LIVE)
  )

  it(
    'names another operator’s watch while it holds the flag’s guards, ' + 'and shows main taking over once it stops',
    async () => {
      // Main lets go (as when this console's server stops) and Bob's watch takes the lock, on the same history file.
      await session.context.services.supervisor.stop()
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
        session.context.services.supervisor.start()
        await expect.poll(() => indicator().getAttribute('data-state'), WAIT).toBe('held_elsewhere')
        expect(await indicator().textContent()).toMatch(
          new RegExp(
            `^Guards are watched by bob \\(pid ${process.pid} on .+, since .+\\) — ` +
              'that watch takes the action on a trip; this Rampart takes over when it stops$'
          )
        )
        await session.screenshot('console-rollout-held-elsewhere')
      } finally {
        stop.abort()
        await bobWatch
        bob.close()
      }
      await expect.poll(() => indicator().getAttribute('data-state'), WAIT).toBe('watching')
    }
  )

  it('offers desktop notifications on a button, never by itself, and turns them on when allowed', async () => {
    const offer = page().getByRole('button', { name: 'Notify me on this desktop' })
    expect(await offer.isVisible()).toBe(true)
    // The operator allows them in the browser's prompt; the test's browser answers it.
    await page().context().grantPermissions(['notifications'], { origin: session.server.origin })
    await offer.click()
    await expect.poll(() => page().getByTestId('notify-status').textContent(), WAIT).toBe('Desktop notifications on')
  })

  it(
    'on a 20 % treatment failure rate at 25 %: the title says TRIP, a browser notification is shown and recorded, ' +
      'and the automatic rollback to 0 % is a red banner',
    async () => {
      // Titles are kept as they change: the TRIP lasts until the next window is decided.
      await page().evaluate(`(() => {
        window.rampartTitles = []
        new MutationObserver(() => window.rampartTitles.push(document.title))
          .observe(document.querySelector('title'), { childList: true, characterData: true, subtree: true })
      })()`)
      await injectDemoFaults(baseUrl, { treatment: { failure_rate: 0.2 } })
      await expect.poll(() => banner().count(), LIVE).toBe(1)
      expect(await banner().getAttribute('data-outcome')).toBe('applied')
      expect(await banner().getAttribute('class')).toContain('guard-action-severe')
      await expect
        .poll(() => banner().locator('.guard-action-headline').textContent(), WAIT)
        .toMatch(
          /^Guard trip at 25 %: rolled back to 0 % automatically at \d\d:\d\d:\d\d — treatment error rate 0\.\d+ > 0\.05; 2 breaches in a row \(breach_windows 2\): trip$/
        )
      expect(await banner().locator('.guard-action-message').first().textContent()).toMatch(
        new RegExp(`^${FLAG} rolled back: 25 % -> 0 % \\(event #\\d+\\); .+ \\(trip event #\\d+, move event #\\d+\\)$`)
      )
      await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('0 %')
      expect(await page().evaluate<string[]>('window.rampartTitles')).toContain(
        `TRIP ${FLAG} (${ENVIRONMENT}) — Rampart`
      )

      // The page showed the trip as a browser notification and told main, which recorded who was notified.
      await expect
        .poll(
          () =>
            events()
              .filter((event) => event.kind === 'notification' && event.actor === ACTOR)
              .map((event) => event.reason),
          WAIT
        )
        .toContain(`Guards tripped: ${FLAG} (${ENVIRONMENT})`)
      const shown = events().find((event) => event.kind === 'notification' && event.actor === ACTOR)
      expect(shown?.detail).toMatchObject({ channel: 'browser', notified: [`${ACTOR} (browser notification)`] })

      // The trip is in the table and shaded in the chart; its reasons open from the decision.
      const trip = windowRows().and(page().locator('[data-decision="trip"]'))
      expect(await trip.count()).toBe(1)
      expect(await panel().getByTestId('guard-window-chart').getAttribute('data-trip-windows')).toBe('1')
      await trip.locator('summary').click()
      expect(await trip.locator('.guard-window-reasons li').allTextContents()).toContain(
        '2 breaches in a row (breach_windows 2): trip'
      )
      // The header is sticky: from the top, so it does not cover the banner in the full-page picture.
      await page().evaluate('window.scrollTo(0, 0)')
      expect((await checkAccessibility(page(), 'console-rollout-trip-banner')).serious).toEqual([])
      await session.screenshot('console-rollout-trip-banner')
    },
    budget(LIVE, WAIT, WAIT, WAIT)
  )

  it(
    'leaves 0 % in the .env and in the service, ' +
      'and the trip and the rollback by rampart, run by the console’s operator, in history',
    async () => {
      expect(session.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT=0\n')
      expect(await servedPercentage(baseUrl)).toBe(0)
      const timeline = events().filter((event) => event.kind === 'guard_trip' || event.kind === 'rollback')
      expect(
        timeline
          .slice(0, 2)
          .map((event) => [event.kind, event.actor, percentageOf(event.fromState), percentageOf(event.toState)])
      ).toEqual([
        ['guard_trip', 'rampart', undefined, undefined],
        ['rollback', 'rampart', 25, 0]
      ])
      // On a busy machine the service's restart can outlast a window: a window that still holds
      // requests served at 25 % before it trips again, and its action finds the flag at 0 % already.
      // Nothing more is moved.
      expect(timeline.slice(2).map((event) => event.kind)).not.toContain('rollback')
      const rollback = timeline[1]!
      expect(rollback.reason).toMatch(/^guard trip: treatment error rate 0\.\d+ > 0\.05/)
      expect(rollback.detail).toMatchObject({ move: 'rollback', runBy: ACTOR })
    }
  )

  it(
    'kills the flag from the header, then turns it on again at 0 % with Enable from the Rollout panel',
    async () => {
      await page().getByRole('button', { name: 'Dismiss' }).first().click()
      expect(await page().getByTestId('emergency-button').textContent()).toBe(
        `Emergency rollback: ${FLAG} in ${ENVIRONMENT}`
      )
      await page().getByLabel('Reason', { exact: true }).fill('e2e: still failing at 0 %')
      await page().getByLabel('Reason', { exact: true }).press('Enter')
      await expect.poll(() => page().getByTestId('emergency-verdict').textContent(), LIVE).toMatch(/^SAFE in /)
      expect((await checkAccessibility(page(), 'console-emergency-verdict-safe')).serious).toEqual([])
      await session.screenshot('console-emergency-verdict-safe')
      await expect.poll(() => panel().getByTestId('phase-flag-off').count(), WAIT).toBe(1)
      await expect.poll(() => indicator().getAttribute('data-state'), WAIT).toBe('idle')

      expect(await panel().getByTestId('move-enable').textContent()).toBe('Enable at 0 % (whitelisted users)')
      await move('move-enable', 'e2e: fault cleared, on again for the testers')
      await expect
        .poll(() => outcome().textContent(), LIVE)
        .toMatch(new RegExp(`^Done: ${FLAG} OFF 0 % → ON 0 %, recorded as event #\\d+ by ${ACTOR}\\.`))
      expect(session.readEnv()).toContain('FEATURE_UNIFIED_LLM_HUB=true\n')
      await expect.poll(() => panel().getByTestId('phase-flag-off').count(), WAIT).toBe(0)
      await expect.poll(() => indicator().getAttribute('data-state'), WAIT).toBe('watching')
      expect(events().filter((event) => event.kind === 'enable')).toEqual([
        expect.objectContaining({
          actor: ACTOR,
          outcome: 'applied',
          reason: 'e2e: fault cleared, on again for the testers'
        })
      ])
      // Out of 0 % the gate is the soak with no breach in the phase, holds allowed.
      expect(await panel().getByTestId('rule-advance').textContent()).toBe(
        "Gate: out of 0 %: the soak, and no breach in this phase's guard windows (holds allowed)"
      )
      await session.screenshot('console-rollout-enabled')
    },
    budget(LIVE, LIVE, WAIT, WAIT, WAIT, WAIT)
  )

  it('adopts a hand edit to 10 % as the position, writing nothing', async () => {
    session.writeEnv(session.readEnv().replace('FEATURE_LLM_HUB_ROLLOUT=0\n', 'FEATURE_LLM_HUB_ROLLOUT=10\n'))
    await engine.restartContainer(names.service, { timeoutSeconds: 5 })
    const handEdited = session.readEnv()
    await panel().getByRole('button', { name: 'Read again' }).click()
    await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('10 %')
    expect(await panel().getByTestId('phase-entered-at').textContent()).toBe(
      'unknown: the state changed outside Rampart'
    )
    expect(await panel().getByTestId('move-adopt').textContent()).toBe('Adopt 10 % as the position')
    await move('move-adopt', 'e2e: the 10 % set by hand is where we are')
    await expect.poll(() => outcome().textContent(), WAIT).toMatch(new RegExp(`^Done: ${FLAG} ON 0 % → ON 10 %`))
    await expect.poll(() => panel().getByTestId('phase-entered-at').textContent(), WAIT).toMatch(/^\d{4}-\d\d-\d\d /)
    expect(await panel().getByTestId('move-adopt').count()).toBe(0)
    expect(session.readEnv()).toBe(handEdited)
    expect(events().filter((event) => event.kind === 'adopt')).toEqual([
      expect.objectContaining({ actor: ACTOR, outcome: 'applied' })
    ])
    expect((await checkAccessibility(page(), 'console-rollout-adopted')).serious).toEqual([])
    await session.screenshot('console-rollout-adopted')
    expect(session.context.services.history.verify().ok).toBe(true)
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
