/**
 * The rollout page in Chromium over browser mode, on a real app context and a temporary .env:
 * the phase path, advance blocked without guard data, advancing on recorded pass windows, the
 * typed confirmation for 100 %, a hand edit refused as a conflict and then shown as drift, and
 * the history page listing it all with the chain intact. The workspace uses the real test engine
 * and names a service container that does not exist, so each move is written and the service is
 * reported absent (it reads the file when it starts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { seedEnvText } from '../fixtures/service-workspace'
import { connectTestEngine, uniqueContainerName } from '../support/docker-test-env'
import { envFileWorkspaceYaml, FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'

let session: ConsoleSession
const absentService = uniqueContainerName('absent-service')
let engineHost: string

beforeAll(async () => {
  const engine = await connectTestEngine()
  engineHost = engine.endpoint.display
  engine.close()
  session = await openConsole({
    workspaceYaml: envFileWorkspaceYaml(engineHost, absentService),
    envText: seedEnvText(10)
  })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const panel = () => page().getByTestId(`rollout-panel-${FLAG}`)
const phaseNow = () => panel().getByTestId('phase-now').textContent()
const rolloutLine = () => /^FEATURE_LLM_HUB_ROLLOUT = (\S+) #/m.exec(session.readEnv())?.[1]

/**
 * A passing guard window for the phase the flag is in now. Windows count only from the moment
 * the phase was entered, so the window starts now, after the move that entered it.
 */
async function recordPassWindow(): Promise<void> {
  const store = HistoryStore.open(session.historyPath)
  try {
    store.guardWindows.recordGuardWindow({
      flag: FLAG,
      environment: 'local',
      windowStart: new Date().toISOString(),
      windowSeconds: 60,
      decision: 'pass',
      figures: { treatment: { requests: 500, failures: 1 }, control: { requests: 4500, failures: 9 } }
    })
  } finally {
    store.close()
  }
  // Guard windows are not history events: ask for the status again, as an operator would.
  await panel().getByRole('button', { name: 'Read again' }).click()
  await expect.poll(() => panel().getByTestId('guard-verdict').textContent(), WAIT).toBe('PASS')
}

async function advanceWith(reason: string, confirmation?: string): Promise<void> {
  await panel().getByTestId('move-advance').click()
  await page().getByLabel('Reason for this move (recorded)').fill(reason)
  if (confirmation !== undefined) await page().getByTestId('move-confirmation').fill(confirmation)
  // Enter, not a click: the form must work from the keyboard.
  await page().getByLabel('Reason for this move (recorded)').press('Enter')
}

describe('the rollout page in Chromium over browser mode', () => {
  it('opens from the keyboard and shows 10 % as the current phase on the path 0 → 10 → 25 → 50 → 100', async () => {
    await page().getByRole('button', { name: 'Rollout', exact: true }).focus()
    await page().keyboard.press('Enter')
    await expect.poll(phaseNow, WAIT).toBe('10 %')
    const steps = await panel().getByTestId('phase-path').locator('li').allTextContents()
    expect(steps).toEqual(['0 %', '10 %', '25 %', '50 %', '100 %'])
    expect(await panel().locator('li[aria-current="step"]').textContent()).toBe('10 %')
  })

  it('blocks advance without guard data: the button is disabled and main’s reason and gate are shown', async () => {
    expect(await panel().getByTestId('guard-verdict').textContent()).toBe('NO VERDICT YET')
    expect(await panel().getByTestId('rule-advance').textContent()).toBe('Gate: the guards pass, for the soak time')
    expect(await panel().getByTestId('move-advance').textContent()).toBe('Advance to 25 %')
    expect(await panel().getByTestId('move-advance').isDisabled()).toBe(true)
    expect(await panel().getByTestId('unmet-advance').textContent()).toContain('guards have no verdict yet, not pass')
    expect(await panel().getByTestId('move-back').isEnabled()).toBe(true)
    expect(await panel().getByTestId('move-rollback').textContent()).toBe('Roll back to 0 %')
  })

  it('refuses an advance without a reason, keeping the form open and the file unchanged', async () => {
    await recordPassWindow()
    await advanceWith('')
    await expect.poll(() => panel().getByTestId('move-form').textContent(), WAIT).toContain('reason is empty')
    expect(rolloutLine()).toBe('10')
    await page().getByLabel('Reason for this move (recorded)').press('Escape')
    await expect.poll(() => panel().getByTestId('move-form').count(), WAIT).toBe(0)
  })

  it('advances 10 → 25 on passing guards with a reason: the page says so and the .env holds 25', async () => {
    await advanceWith('e2e: error rate flat')
    await expect
      .poll(() => panel().getByTestId('move-outcome').textContent(), WAIT)
      .toMatch(/Done: unified_llm_hub ON 10 % → ON 25 %, recorded as event #\d+ by e2e/)
    expect(await panel().getByTestId('move-service').textContent()).toBe(
      `Service: no container ${absentService} on the Docker engine at ${engineHost}; ` +
        `the service reads ${session.envPath} when it starts`
    )
    expect(rolloutLine()).toBe('25')
    await expect.poll(phaseNow, WAIT).toBe('25 %')
    expect(await panel().locator('li[aria-current="step"]').textContent()).toBe('25 %')
    // Guard windows from the 10 % phase say nothing about 25 %.
    await expect.poll(() => panel().getByTestId('guard-verdict').textContent(), WAIT).toBe('NO VERDICT YET')
    await session.screenshot('rollout-page')
  })

  it('asks for the flag name to reach 100 %, refuses without it, and advances once it is typed', async () => {
    await recordPassWindow()
    await advanceWith('e2e: 25 % healthy')
    await expect.poll(phaseNow, WAIT).toBe('50 %')
    await recordPassWindow()

    expect(await panel().getByTestId('move-advance').textContent()).toBe('Advance to 100 %')
    await advanceWith('e2e: 50 % healthy')
    await expect
      .poll(() => panel().getByTestId('move-form').textContent(), WAIT)
      .toContain('type the flag name to confirm')
    expect(rolloutLine()).toBe('50')

    await page().getByTestId('move-confirmation').fill(FLAG)
    await page().getByTestId('move-confirmation').press('Enter')
    await expect.poll(phaseNow, WAIT).toBe('100 %')
    expect(rolloutLine()).toBe('100')
    expect(await panel().getByTestId('move-outcome').textContent()).toContain('ON 50 % → ON 100 %')
  })

  it(
    'refuses a move chosen before a hand edit of the .env to 37 as a conflict, ' + 'says so, then shows the drift',
    async () => {
      await panel().getByTestId('move-back').click()
      session.writeEnv(session.readEnv().replace('FEATURE_LLM_HUB_ROLLOUT = 100 #', 'FEATURE_LLM_HUB_ROLLOUT = 37 #'))
      await page().getByLabel('Reason for this move (recorded)').fill('e2e: step back')
      await page().getByLabel('Reason for this move (recorded)').press('Enter')

      await expect
        .poll(() => panel().getByTestId('move-outcome').textContent(), WAIT)
        .toContain('The flag changed since you looked; nothing was written.')
      expect(await panel().getByTestId('move-outcome').textContent()).toContain(
        'rollout_percentage: you saw 100, the source now holds 37'
      )
      expect(rolloutLine()).toBe('37')
      await expect.poll(phaseNow, WAIT).toBe('37 % — off the path')
      expect(await panel().locator('li[aria-current="step"]').textContent()).toBe('37 % drift')
      expect(await panel().getByTestId('move-back').textContent()).toBe('Step back to 25 %')
      expect(await panel().getByTestId('move-advance').count()).toBe(0)
      await session.screenshot('rollout-page-drift')
    }
  )

  it('lists the moves and the drift on the history page, newest first, and says the chain is intact', async () => {
    await page().getByRole('button', { name: 'History', exact: true }).click()
    await expect.poll(() => page().getByTestId('chain-status').textContent(), WAIT).toMatch(/^Chain intact: \d+ events/)
    const rows = await page().getByTestId('history-row').allTextContents()
    const moves = rows.filter((row) => row.includes('phase_move'))
    expect(moves).toHaveLength(3)
    expect(moves[0]).toContain('ON 50 % → ON 100 %')
    expect(moves[0]).toContain('e2e: 50 % healthy')
    expect(moves[0]).toContain('applied')
    expect(moves[2]).toContain('ON 10 % → ON 25 %')
    expect(rows[0]).toContain('drift')
    expect(rows[0]).toContain('ON 100 % → ON 37 %')
    expect(rows[0]).toContain('refused')
    expect(rows.some((row) => row.includes('refused') && row.includes('e2e: 50 % healthy'))).toBe(true)
    await session.screenshot('history-page')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
