/**
 * The Review page in Chromium over browser mode, from the history file alone: the workspace's
 * Docker engine and Postgres are loopback ports nothing listens on, so Rampart can reach neither.
 * The history is made by real moves through the app's services (main's clock set days back, so
 * the rollouts lie in the past), guard windows recorded with the history store, an emergency
 * rollback of a flag served by the demo service's API (no Docker needed), and an incident replayed
 * and recorded with the built CLI (`rampart guards replay --record`). The page lists, filters and
 * opens them; every report downloads as a file.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Clock } from '@main/platform/clock'
import { HistoryStore } from '@main/history/history-store'
import { seedEnvText, SEED_ENV_FILE_SOURCE_YAML } from '../fixtures/service-workspace'
import { FAILING, flagState, generateTrace, HEALTHY, TRACE_FLAG, traceLines } from '../fixtures/guard-traces'
import { requireBuiltCli, runRampart } from '../fixtures/rampart-cli'
import { checkAccessibility } from '../support/axe-check'
import { closedLoopbackPort, FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import { startDemoService, type DemoServiceProcess } from '../support/demo-service-process'

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
const GUARDS = { window_seconds: 10, min_requests: 100, max_error_rate: 0.05, max_latency_degradation: 0.5 }

/** Main's clock: the real one, set back by as much as the test asks, so moves can be made "last week". */
let offsetMs = 0
const travelClock: Clock = { now: () => new Date(Date.now() - offsetMs) }
function setClock(at: number): void {
  offsetMs = Date.now() - at
}

let session: ConsoleSession
let demo: DemoServiceProcess
let health: Server
let store: HistoryStore
let dockerHost: string
let postgresPort: number
const base = Math.floor((Date.now() - 4 * DAY_MS) / MINUTE_MS) * MINUTE_MS
let replayEnvironment: string

function workspaceYaml(healthUrl: string, demoUrl: string): string {
  return `version: 1
default_environment: local
environments:
  local:
    docker:
      host: ${dockerHost}
    service:
      container: review-e2e-service
    postgres:
      container: review-e2e-postgres
      host: 127.0.0.1
      port: ${postgresPort}
      user: rampart
      password: \${REVIEW_E2E_PG_PASSWORD:-unreachable}
      database: review_e2e
      disposable: true
${SEED_ENV_FILE_SOURCE_YAML}  api:
    docker:
      host: ${dockerHost}
    service:
      container: review-e2e-api
      health_url: ${healthUrl}
    flag_source:
      kind: http
      base_url: ${demoUrl}
    flags: [${FLAG}]
`
}

/** One decided window of 60 s as the guard engine stores it. */
function recordWindow(startMs: number, decision: 'pass' | 'hold' | 'breach' | 'trip', index: number): void {
  const bad = decision === 'breach' || decision === 'trip'
  store.guardWindows.recordGuardWindow({
    flag: FLAG,
    environment: 'local',
    windowStart: new Date(startMs).toISOString(),
    windowSeconds: 60,
    decision,
    figures: {
      treatment: { requests: 400, failures: bad ? 36 : 4, error_rate: bad ? 0.09 : 0.01, p95_ms: 150 + (index % 7) },
      control: { requests: 3600, failures: 36, error_rate: 0.01, p95_ms: 140 },
      decision,
      reasons: bad ? ['treatment error rate 9.0 % over the limit 5.0 %'] : [],
      // The environment's thresholds (the defaults): a window judged with others could not let a phase advance.
      settings: {
        window_seconds: 60,
        min_requests: 100,
        max_error_rate: 0.05,
        max_latency_degradation: 0.5,
        breach_windows: 2
      }
    }
  })
}

async function move(move: 'advance' | 'rollback' | 'kill' | 'enable', reason: string, confirmation?: string) {
  await session.context.services.rollout.move({
    environment: 'local',
    flag: FLAG,
    move,
    reason,
    ...(confirmation === undefined ? {} : { confirmation })
  })
}

/** Three passing windows in the phase just entered, then the time they take: advance is then allowed. */
async function passGuards(): Promise<void> {
  await session.context.services.rollout.status('local', FLAG)
  const start = travelClock.now().getTime()
  for (let index = 0; index < 3; index++) recordWindow(start + index * MINUTE_MS, 'pass', index)
  setClock(start + 3 * MINUTE_MS + 1000)
}

beforeAll(async () => {
  requireBuiltCli()
  dockerHost = `tcp://127.0.0.1:${await closedLoopbackPort()}`
  postgresPort = await closedLoopbackPort()
  health = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end('ok')
  })
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve))
  const address = health.address()
  if (typeof address !== 'object' || address === null) throw new Error('the health server has no port')
  demo = await startDemoService(
    ['FEATURE_UNIFIED_LLM_HUB=true', 'FEATURE_LLM_HUB_ROLLOUT=25', 'FEATURE_LLM_HUB_WHITELIST=', ''].join('\n'),
    { DEMO_RPS: '0' }
  )
  setClock(base)
  session = await openConsole({
    workspaceYaml: workspaceYaml(`http://127.0.0.1:${address.port}/health`, demo.baseUrl),
    envText: seedEnvText(0),
    clock: travelClock
  })
  store = HistoryStore.open(session.historyPath, { now: () => travelClock.now() })

  // Rollout #1: to 10 %, two hours of windows (a breach, then a trip), rolled back.
  await move('advance', 'first try at 10 %')
  for (let index = 0; index < 120; index++) {
    const decision = index === 61 ? 'trip' : index === 60 ? 'breach' : index === 10 ? 'hold' : 'pass'
    recordWindow(base + (index + 1) * MINUTE_MS, decision, index)
  }
  setClock(base + 122 * MINUTE_MS)
  await move('rollback', 'error rate 9 % at 10 % (INC-7)')

  // Rollout #2: a day later, phase by phase to 100 %, each advance on passing guards.
  setClock(base + DAY_MS)
  await move('advance', 'second try after the fix')
  await passGuards()
  await move('advance', 'guards green at 10 %')
  await passGuards()
  await move('advance', 'guards green at 25 %')
  await passGuards()
  await move('advance', 'guards green at 50 %', FLAG)

  // Rollout #3: killed by hand; #4: enabled again and in progress.
  setClock(base + 2 * DAY_MS)
  await move('kill', 'customer report (INC-9)')
  setClock(base + 3 * DAY_MS)
  await move('enable', 'fix verified in staging')
  await move('advance', 'third try')

  // In the api environment, now: an emergency rollback to the end, its time to safe recorded.
  setClock(Date.now())
  await session.context.services.emergencyRollback.run({
    environment: 'api',
    flag: FLAG,
    reason: 'latency regression (INC-12)'
  })
}, 120_000)

afterAll(async () => {
  store?.close()
  await session?.close()
  await demo?.stop()
  await new Promise((resolve) => health?.close(resolve))
})

const page = () => session.page
const rows = () => page().getByTestId('review-row')

async function openTab(name: string): Promise<void> {
  await page().getByRole('button', { name, exact: true }).click()
}

/** axe over the page as it stands: nothing serious or critical (and, aimed for, nothing at all); a picture of it. */
async function checked(state: string): Promise<void> {
  const report = await checkAccessibility(page(), state)
  expect(report.serious, JSON.stringify(report.serious, null, 1)).toEqual([])
  expect(report.violations, JSON.stringify(report.violations, null, 1)).toEqual([])
  await session.screenshot(state)
}

function rowOutcomes(): Promise<string[]> {
  return rows().evaluateAll((items) => items.map((item) => item.getAttribute('data-outcome') ?? ''))
}

/** The value a datetime-local field takes for an instant, in the browser's (and this process's) time zone. */
function localInput(epochMs: number): string {
  const at = new Date(epochMs)
  const two = (value: number) => String(value).padStart(2, '0')
  return (
    `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}` +
    `T${two(at.getHours())}:${two(at.getMinutes())}`
  )
}

/** Clicks a download button and reads the file the browser saved. */
async function download(testId: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page().waitForEvent('download', { timeout: WAIT.timeout }),
    page().getByTestId(testId).click()
  ])
  const path = await file.path()
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') }
}

describe('the Review page, with the Docker engine and Postgres unreachable', () => {
  it('lists every rollout newest first: flag, environment, times, highest phase, outcome and who', async () => {
    await openTab('Review')
    await expect.poll(() => rows().count(), WAIT).toBe(5)
    expect(await rowOutcomes()).toEqual(['killed', 'in_progress', 'killed', 'completed', 'rolled_back'])
    const first = rows().first()
    expect(await first.locator('td').nth(2).textContent()).toBe('api')
    expect(await first.textContent()).toMatch(/KILLED\s*safe in \d/)
    const completed = rows().nth(3)
    expect(await completed.locator('td').nth(1).textContent()).toBe(FLAG)
    expect(await completed.locator('td').nth(5).textContent()).toBe('100 %')
    expect(await completed.locator('td').nth(7).textContent()).toBe('e2e')
    expect(await rows().last().locator('td').nth(5).textContent()).toBe('10 %')
    expect(await page().getByTestId('review-count').textContent()).toBe('5 rollouts, newest first.')
    await checked('review-list')
  })

  it('filters by outcome, environment, flag, time and search text', async () => {
    await page().getByTestId('review-outcome').selectOption('killed')
    await expect.poll(rowOutcomes, WAIT).toEqual(['killed', 'killed'])
    await page().getByTestId('review-environment').selectOption('local')
    await expect.poll(() => rows().count(), WAIT).toBe(1)
    await page().getByRole('button', { name: 'Clear the filters' }).click()
    await expect.poll(() => rows().count(), WAIT).toBe(5)

    await page().getByTestId('review-search').fill('inc-7')
    await expect.poll(rowOutcomes, WAIT).toEqual(['rolled_back'])
    await page().getByTestId('review-search').fill('')
    await page().getByTestId('review-flag').selectOption(FLAG)
    // Active from the third day: the killed and the running rollout of local, and the api one.
    await page()
      .getByTestId('review-from')
      .fill(localInput(base + 2 * DAY_MS - MINUTE_MS))
    await expect.poll(rowOutcomes, WAIT).toEqual(['killed', 'in_progress', 'killed'])
    // Started by the end of the second day: the first two only.
    await page().getByTestId('review-from').fill('')
    await page()
      .getByTestId('review-to')
      .fill(localInput(base + DAY_MS + 10 * MINUTE_MS))
    await expect.poll(rowOutcomes, WAIT).toEqual(['completed', 'rolled_back'])
    expect(await page().getByTestId('review-count').textContent()).toBe(
      '2 rollouts matching the filters, newest first.'
    )
    await checked('review-filtered')
    await page().getByRole('button', { name: 'Clear the filters' }).click()
    await expect.poll(() => rows().count(), WAIT).toBe(5)
  })

  it(
    'opens a rollout: its timeline filterable by kind, an event in full, its windows as a chart with the ' +
      'limits and the breach and trip marked, and page by page',
    async () => {
      await page()
        .getByRole('button', { name: `Open #1: ${FLAG} in local` })
        .click()
      const verdict = page().getByTestId('review-verdict')
      await expect.poll(() => verdict.textContent(), WAIT).toBe('ROLLED BACK')
      expect(await page().getByTestId('review-highest-phase').textContent()).toBe('10 %')
      // The heading has the focus: the reviewer reads on from there.
      expect(await page().evaluate('document.activeElement?.tagName')).toBe('H2')

      const events = page().getByTestId('review-event')
      expect(await events.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')))).toEqual([
        'phase_move',
        'rollback'
      ])
      await page().getByTestId('review-kind').selectOption('rollback')
      await expect.poll(() => events.count(), WAIT).toBe(1)
      await page().getByRole('button', { name: 'Details of event #2' }).click()
      const detail = page().getByTestId('review-detail')
      await expect.poll(() => detail.getAttribute('data-seq'), WAIT).toBe('2')
      expect(await page().getByTestId('review-detail-actor').textContent()).toBe('e2e')
      expect(await page().getByTestId('review-detail-reason').textContent()).toBe('error rate 9 % at 10 % (INC-7)')
      expect(await page().getByTestId('review-detail-transition').textContent()).toBe('ON 10 % → ON 0 %')
      expect(await page().getByTestId('review-snapshot').textContent()).toContain('"verdict"')

      expect(await page().getByTestId('review-window-summary').textContent()).toBe(
        '120 windows: 117 pass, 1 hold, 1 breach, 1 trip; worst treatment error rate 9.0 %, worst p95 156 ms.'
      )
      const chart = page().getByTestId('review-chart')
      expect(await chart.getAttribute('data-points')).toBe('120')
      expect(await chart.getAttribute('data-breach-windows')).toBe('1')
      expect(await chart.getAttribute('data-trip-windows')).toBe('1')
      // uPlot drew it: a canvas, and the limit series in its legend.
      expect(await chart.locator('canvas').count()).toBe(1)
      expect(await chart.locator('.u-legend').textContent()).toContain('Error-rate limit')

      const range = page().getByTestId('review-windows-range')
      await expect.poll(() => range.textContent(), WAIT).toBe('Windows 1–50 of 120')
      const windowRows = page().getByTestId('review-window-row')
      expect(await windowRows.count()).toBe(50)
      await page().getByTestId('review-windows-next').click()
      await expect.poll(() => range.textContent(), WAIT).toBe('Windows 51–100 of 120')
      expect(
        await windowRows.evaluateAll((items) =>
          items.map((item) => item.getAttribute('data-decision')).filter((decision) => decision !== 'pass')
        )
      ).toEqual(['breach', 'trip'])
      await page().getByRole('button', { name: 'Last', exact: true }).click()
      await expect.poll(() => range.textContent(), WAIT).toBe('Windows 101–120 of 120')
      expect(await windowRows.count()).toBe(20)
      await checked('review-rollout')
    }
  )

  it('downloads the rollout’s report in Markdown, HTML and JSON lines, for its flag and environment', async () => {
    const markdown = await download('review-export-rollout-md')
    expect(markdown.name).toMatch(/^rampart-report-.*\.md$/)
    expect(markdown.text).toContain('# Rampart history report')
    expect(markdown.text).toContain(`flag ${FLAG}, environment local`)
    expect(markdown.text).toContain('error rate 9 % at 10 % (INC-7)')
    expect(markdown.text).not.toContain('INC-12')
    expect(await page().getByTestId('review-export-rollout-status').textContent()).toMatch(
      /^Saved rampart-report-.*\.md: \d+ events, 129 windows\.$/
    )

    const html = await download('review-export-rollout-html')
    expect(html.name).toMatch(/\.html$/)
    expect(html.text).toMatch(/^<!doctype html>/i)
    expect(html.text).toContain('<svg')

    const jsonl = await download('review-export-rollout-jsonl')
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; environment?: string })
    expect(lines[0]!.kind).toBe('chain')
    expect(lines.filter((line) => line.kind === 'guard_window')).toHaveLength(129)
    expect(lines.filter((line) => line.environment === 'api')).toEqual([])
  })

  it('goes back to the list with the focus on the rollout it came from', async () => {
    await page().getByTestId('review-back').click()
    await expect.poll(() => rows().count(), WAIT).toBe(5)
    expect(await page().evaluate('document.activeElement?.id')).toBe('review-open-1')
  })

  it('shows the emergency rollback’s run: each step with its duration, and the time to safe', async () => {
    const apiRow = rows().first()
    await apiRow.getByRole('button').click()
    await expect.poll(() => page().getByTestId('review-verdict').textContent(), WAIT).toBe('KILLED')
    expect(await page().getByTestId('review-time-to-safe').textContent()).toMatch(/^\d+(\.\d+)? (ms|s)$/)
    await page().getByTestId('review-kind').selectOption('runbook')
    await page().getByTestId('review-event').last().getByRole('button').click()
    const steps = page().getByTestId('review-run').getByTestId('runbook-step')
    await expect.poll(() => steps.count(), WAIT).toBe(5)
    expect(await steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done'
    ])
    expect(await steps.first().textContent()).toMatch(/Disable unified_llm_hub.*\d+ ms/)
    expect(await page().getByTestId('review-run').textContent()).toContain('emergency-rollback')

    await page().getByTestId('review-kind').selectOption('kill')
    await page().getByTestId('review-event').last().getByRole('button').click()
    expect(await page().getByTestId('review-detail-safe').textContent()).toMatch(/^\d+(\.\d+)? (ms|s)$/)
    await checked('review-emergency')
    await page().getByTestId('review-back').click()
  })

  it('lists an incident replayed and recorded with the built CLI, and shows its windows', async () => {
    const trace = generateTrace({
      seed: 11,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 6,
      requestsPerWindow: () => 500,
      treatment: (window) => (window >= 3 ? FAILING : HEALTHY)
    })
    const log = join(session.dir, 'incident.jsonl')
    writeFileSync(log, `${traceLines(trace, 4).join('\n')}\n`)
    writeFileSync(join(session.dir, 'flag.json'), JSON.stringify(flagState()))
    writeFileSync(join(session.dir, 'guards.json'), JSON.stringify({ ...GUARDS, breach_windows: 2 }))
    const sha256 = createHash('sha256').update(readFileSync(log)).digest('hex')
    replayEnvironment = `replay:${sha256.slice(0, 12)}`
    const replay = runRampart(
      [
        'guards',
        'replay',
        '--log',
        log,
        '--flag',
        TRACE_FLAG,
        '--flag-config',
        'flag.json',
        '--guards',
        'guards.json',
        '--record'
      ],
      { cwd: session.dir, env: { RAMPART_HOME: join(session.dir, 'home'), RAMPART_ACTOR: 'reviewer' } }
    )
    expect(replay.stderr).toBe('')
    expect(replay.status).toBe(0)

    // The history stream brings it to the page: no reload.
    await expect.poll(() => rows().count(), WAIT).toBe(6)
    expect((await rowOutcomes())[0]).toBe('replayed')
    await page().getByTestId('review-outcome').selectOption('replayed')
    await expect.poll(() => rows().count(), WAIT).toBe(1)
    expect(await rows().first().locator('td').nth(2).textContent()).toBe(replayEnvironment)
    await rows().first().getByRole('button').click()
    await expect.poll(() => page().getByTestId('review-verdict').textContent(), WAIT).toBe('REPLAYED')
    expect(await page().getByTestId('review-window-summary').textContent()).toMatch(/^6 windows: .*[1-9] trip/)
    expect(Number(await page().getByTestId('review-chart').getAttribute('data-trip-windows'))).toBeGreaterThan(0)
    await page()
      .getByRole('button', { name: /^Details of event #/ })
      .click()
    expect(await page().getByTestId('review-detail-json').textContent()).toContain(sha256)
    expect(await page().getByTestId('review-detail-actor').textContent()).toBe('reviewer')
    await checked('review-replayed')
    await page().getByTestId('review-back').click()
    await page().getByRole('button', { name: 'Clear the filters' }).click()
  })

  it('downloads the report of everything in each format, the replay included', async () => {
    const markdown = await download('review-export-all-md')
    expect(markdown.text).toContain('every flag and environment')
    expect(markdown.text).toContain('INC-12')
    expect(markdown.text).toContain(replayEnvironment)
    const html = await download('review-export-all-html')
    expect(html.text).toContain(replayEnvironment)
    const jsonl = await download('review-export-all-jsonl')
    const windows = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string })
      .filter((line) => line.kind === 'guard_window')
    expect(windows).toHaveLength(129 + 6)
    expect(await page().getByTestId('review-export-all-status').textContent()).toMatch(/135 windows\.$/)
    await checked('review-exported')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
