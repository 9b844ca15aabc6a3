/**
 * A rollout move on an env file when the Docker engine cannot be reached, in Chromium over browser
 * mode: main writes and records the move, then cannot restart the service to apply it. The page
 * must say exactly that (written, recorded, not applied), close the form and show the new state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedEnvText } from '../fixtures/service-workspace'
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
  session = await openConsole({ workspaceYaml: envFileWorkspaceYaml(dockerHost), envText: seedEnvText(10) })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const panel = () => page().getByTestId(`rollout-panel-${FLAG}`)

describe('a move written but not applied', () => {
  it('says the step back is written and recorded but the service has not picked it up, and shows 0 %', async () => {
    await page().getByRole('button', { name: 'Rollout', exact: true }).click()
    await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('10 %')
    await panel().getByTestId('move-back').click()
    await page().getByLabel('Reason for this move (recorded)').fill('e2e: back off')
    await page().getByLabel('Reason for this move (recorded)').press('Enter')

    const outcome = panel().getByTestId('move-outcome')
    await expect
      .poll(() => outcome.textContent(), WAIT)
      .toMatch(/^Written and recorded as event #\d+, but the service has not picked it up\./)
    expect(await outcome.textContent()).toContain(`Docker engine at ${dockerHost} is not reachable`)
    expect(await outcome.textContent()).toContain('docker restart ops-center-direct')
    expect(await panel().getByTestId('move-form').count()).toBe(0)
    expect(session.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT = 0 #')
    await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('0 %')
    await session.screenshot('rollout-unapplied')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
