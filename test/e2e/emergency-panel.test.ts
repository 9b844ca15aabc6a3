/**
 * The header's emergency rollback in Chromium over browser mode, with an env-file source and no
 * Docker engine: the workspace points the engine at a closed loopback port, so the flag-off step
 * succeeds and the restart step fails fast with `unreachable`, and the page must say which step
 * failed and why, in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedEnvText } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import { ANY_DURATION } from '../support/duration-text'
import {
  closedLoopbackPort,
  envFileWorkspaceYaml,
  FLAG,
  openConsole,
  WAIT,
  type ConsoleSession
} from '../support/browser-console'

let session: ConsoleSession
let dockerHost: string

beforeAll(async () => {
  dockerHost = `tcp://127.0.0.1:${await closedLoopbackPort()}`
  session = await openConsole({ workspaceYaml: envFileWorkspaceYaml(dockerHost), envText: seedEnvText(25) })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const result = () => page().getByTestId('emergency-result')
const steps = () => result().getByTestId('runbook-step')

describe('the emergency rollback in the header', () => {
  it('is one red action on every page, naming the flag and the environment it acts on', async () => {
    for (const name of ['Flags', 'Rollout', 'History', 'Logs']) {
      await page().getByRole('button', { name, exact: true }).click()
      const button = page().getByRole('button', { name: `Emergency rollback: ${FLAG} in local`, exact: true })
      await expect.poll(() => button.isVisible(), WAIT).toBe(true)
    }
    await page().getByRole('button', { name: 'Flags', exact: true }).click()
  })

  it('refuses to start without a reason, says so in the header, and leaves the flag on', async () => {
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('ON')
    await page()
      .getByRole('button', { name: `Emergency rollback: ${FLAG} in local` })
      .click()
    await expect
      .poll(() => result().textContent(), WAIT)
      .toMatch(new RegExp(`Emergency rollback of ${FLAG} in local refused: .*a reason is required`))
    expect(await steps().count()).toBe(0)
    expect(session.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=true\n')
  })

  it('turns the flag off, then names the restart step that failed without a Docker engine, in words', async () => {
    await page().getByLabel('Reason', { exact: true }).fill('e2e: error rate spike')
    await page().getByLabel('Reason', { exact: true }).press('Enter')

    const verdict = page().getByTestId('emergency-verdict')
    await expect
      .poll(() => verdict.textContent(), WAIT)
      .toContain('NOT SAFE: step 2 of 6, “Restart container ops-center-direct”, failed.')
    expect(await verdict.textContent()).toContain(`Docker engine at ${dockerHost}`)
    expect(await verdict.textContent()).toContain('(unreachable)')
    expect(await verdict.textContent()).toContain(`Done before it: Disable ${FLAG} in ${session.envPath}.`)

    const disable = steps().nth(0)
    expect(await disable.getAttribute('data-status')).toBe('done')
    expect(await disable.textContent()).toContain('✓')
    expect(await disable.textContent()).toContain(`Disable ${FLAG}`)
    const restart = steps().nth(1)
    expect(await restart.getAttribute('data-status')).toBe('failed')
    expect(await restart.textContent()).toContain('✗')
    expect(await restart.textContent()).toMatch(new RegExp(`Restart container ops-center-direct${ANY_DURATION}`))
    expect(await steps().count()).toBe(6)
    for (const index of [2, 3, 4, 5]) expect(await steps().nth(index).getAttribute('data-status')).toBe('not-run')
    expect(await steps().nth(5).textContent()).toContain('Record the time to safe')
    // The steps are folded under the verdict once the run ended; the whole run is there to unfold.
    expect(await steps().nth(0).isVisible()).toBe(false)
    const report = await checkAccessibility(page(), 'emergency-failed-step')
    expect(report.serious).toEqual([])

    expect(session.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('OFF')
    await session.screenshot('emergency-failed-step')
  })

  it('records the intent, the kill and the failed run in history', async () => {
    await page().getByRole('button', { name: 'History', exact: true }).click()
    await expect.poll(() => page().getByTestId('history-row').count(), WAIT).toBeGreaterThanOrEqual(4)
    const rows = await page().getByTestId('history-row').allTextContents()
    expect(rows[0]).toContain('runbook (emergency-rollback)')
    expect(rows[0]).toContain('failed')
    expect(
      rows.some((row) => row.includes('kill') && row.includes('ON 25 % → OFF 25 %') && row.includes('applied'))
    ).toBe(true)
    expect(rows.some((row) => row.includes('kill') && row.includes('intent'))).toBe(true)
    expect(await page().getByTestId('chain-status').textContent()).toMatch(/^Chain intact/)
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
