/**
 * Interrupted runbooks at start, in Chromium over browser mode. Before the app opens the history
 * file, two emergency rollbacks are left in it as a crash leaves them: recorded as running, by a
 * process that is gone. The banner must list both with who started them and the step that did not
 * finish; Cancel and Resume act on them, Resume with live steps.
 */
import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { seedEnvText } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import {
  closedLoopbackPort,
  envFileWorkspaceYaml,
  FLAG,
  openConsole,
  WAIT,
  type ConsoleSession
} from '../support/browser-console'

const CONTAINER = 'ops-center-direct'

let session: ConsoleSession
let deadPid: number

/** The steps the emergency rollback builds for an env-file source, so a resume rebuilds the same run. */
function emergencySteps(envPath: string): string[] {
  return [
    `Disable ${FLAG} in ${envPath}`,
    `Restart container ${CONTAINER}`,
    `Wait for health: container ${CONTAINER}`,
    'Check verify URLs (none configured)',
    `Capture the last 50 log lines of ${CONTAINER}`,
    'Record the time to safe'
  ]
}

/** An emergency rollback whose process died while running step `stoppedAt` (0-based), as the runner records one. */
function leaveInterruptedRun(store: HistoryStore, envPath: string, stoppedAt: number, reason: string): number {
  const intent = store.events.appendEvent({
    kind: 'kill',
    actor: 'night-shift',
    flag: FLAG,
    environment: 'local',
    reason,
    outcome: 'intent',
    detail: { runbook: 'emergency-rollback' }
  })
  const runId = store.runbooks.start({
    runbook: 'emergency-rollback',
    flag: FLAG,
    environment: 'local',
    actor: 'night-shift',
    reason,
    steps: emergencySteps(envPath),
    detail: {
      environment: 'local',
      flag: FLAG,
      reason,
      intentSeq: intent.seq,
      intentAt: intent.at,
      stopTimeoutSeconds: 5,
      healthTimeoutMs: 30_000,
      pollIntervalMs: 10
    },
    owner: { pid: deadPid, host: hostname(), token: `crashed-${stoppedAt}` }
  })
  for (let index = 0; index < stoppedAt; index++) {
    store.runbooks.stepStarted(runId, index)
    store.runbooks.stepFinished(runId, index, { status: 'done', message: 'done before the crash', durationMs: 12 })
  }
  store.runbooks.stepStarted(runId, stoppedAt)
  return runId
}

beforeAll(async () => {
  // A process that has exited: its pid is what a crashed console leaves on record.
  deadPid = spawnSync(process.execPath, ['-e', '']).pid
  session = await openConsole({
    workspaceYaml: envFileWorkspaceYaml(`tcp://127.0.0.1:${await closedLoopbackPort()}`),
    envText: seedEnvText(25),
    prepareHistory: (historyPath, dir) => {
      const store = HistoryStore.open(historyPath)
      try {
        leaveInterruptedRun(store, join(dir, '.env'), 0, 'error spike at 03:10')
        leaveInterruptedRun(store, join(dir, '.env'), 1, 'second try from the laptop')
      } finally {
        store.close()
      }
    }
  })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const banner = () => page().getByTestId('interrupted-banner')
const run = (id: number) => page().getByTestId(`interrupted-run-${id}`)

describe('interrupted runbooks at start', () => {
  it('lists both runs: runbook, when, by whom, why, and the step that did not finish', async () => {
    await expect
      .poll(() => banner().getByRole('heading').textContent(), WAIT)
      .toBe('2 runbooks did not finish: resume or cancel')
    const first = await run(1).textContent()
    expect(first).toMatch(
      /emergency-rollback run #1 for unified_llm_hub in local, started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by night-shift \(“error spike at 03:10”\)/
    )
    expect(await run(1).getByTestId('interrupted-run-stop').textContent()).toBe(
      `Did not finish step 1 of 6: “Disable ${FLAG} in ${session.envPath}” ` +
        '(it was running when the run was interrupted). ' +
        `Interrupted because pid ${deadPid} on ${hostname()} is gone.`
    )
    expect(await run(2).getByTestId('interrupted-run-stop').textContent()).toContain(
      `Did not finish step 2 of 6: “Restart container ${CONTAINER}” (it was running when the run was interrupted).`
    )
    expect((await checkAccessibility(page(), 'interrupted-runbooks')).serious).toEqual([])
    await session.screenshot('interrupted-runbooks')
  })

  it('is shown on every page', async () => {
    await page().getByRole('button', { name: 'History', exact: true }).click()
    expect(await banner().isVisible()).toBe(true)
    await page().getByRole('button', { name: 'Flags', exact: true }).click()
  })

  it('cancels a run at once, says it can still be resumed, and no longer counts it', async () => {
    await run(2).getByTestId('cancel-run').click()
    await expect
      .poll(() => run(2).getByTestId('interrupted-run-outcome').textContent(), WAIT)
      .toContain('recorded as cancelled, and it can still be resumed')
    await expect
      .poll(() => banner().getByRole('heading').textContent(), WAIT)
      .toBe('1 runbook did not finish: resume or cancel')
    expect(await run(2).getByTestId('resume-run').isDisabled()).toBe(true)
  })

  it('resumes a run from the step that did not finish, showing its steps, and names the step that failed', async () => {
    expect(session.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=true\n')
    await run(1).getByTestId('resume-run').click()
    await expect
      .poll(() => run(1).getByTestId('interrupted-run-outcome').textContent(), WAIT)
      .toContain(`Resume failed: emergency-rollback: step "Restart container ${CONTAINER}" failed`)
    expect(await run(1).getByTestId('interrupted-run-outcome').textContent()).toContain('(unreachable)')
    const statuses = await run(1)
      .getByTestId('runbook-step')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))
    expect(statuses).toEqual(['done', 'failed', 'not-run', 'not-run', 'not-run', 'not-run'])
    // Above the steps, how the resumed run stands: no longer the "running" the crash left on record.
    await expect
      .poll(() => run(1).getByTestId('interrupted-run-stop').textContent(), WAIT)
      .toBe(
        `Resumed from step 1 of 6: “Disable ${FLAG} in ${session.envPath}”; ` +
          'the resumed run failed (see the steps below).'
      )
    expect((await checkAccessibility(page(), 'interrupted-runbooks-resumed')).serious).toEqual([])
    expect(session.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    await session.screenshot('interrupted-runbooks-resumed')
  })

  it('shows no banner after a reload once nothing is interrupted', async () => {
    await page().reload()
    await expect.poll(() => page().getByTestId('connection-state').textContent(), WAIT).toBe('Connected')
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('OFF')
    expect(await banner().count()).toBe(0)
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
