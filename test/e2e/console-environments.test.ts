/**
 * The environment switch, in Chromium over browser mode: a workspace with `local` (the default,
 * one flag) and `staging` (two flags, its own env file and service). Every page follows the
 * switch; the emergency action names the flag and the environment it acts on, defaults to the
 * flag on screen, never to the first of a list, finds a flag as the operator types, and rolls
 * back staging's flag without touching local's. No Docker engine (a closed loopback port): the
 * run turns the flag off, then stops at the restart.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedEnvText } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import { closedLoopbackPort, FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'

const OTHER_FLAG = 'new_checkout'
const STAGING_ENV = [
  'FEATURE_UNIFIED_LLM_HUB=true',
  'FEATURE_LLM_HUB_ROLLOUT=50',
  'FEATURE_LLM_HUB_WHITELIST=admin@example.com',
  'FEATURE_LLM_HUB_BLACKLIST=',
  'FEATURE_LLM_HUB_START_DATE=',
  'FEATURE_LLM_HUB_END_DATE=',
  'FEATURE_NEW_CHECKOUT=true',
  'FEATURE_NEW_CHECKOUT_ROLLOUT=10',
  'FEATURE_NEW_CHECKOUT_WHITELIST=',
  'FEATURE_NEW_CHECKOUT_BLACKLIST=',
  'FEATURE_NEW_CHECKOUT_START_DATE=',
  'FEATURE_NEW_CHECKOUT_END_DATE=',
  ''
].join('\n')

let session: ConsoleSession
let stagingEnvPath: string

function workspaceYaml(dockerHost: string): string {
  return [
    'version: 1',
    'default_environment: local',
    'environments:',
    '  local:',
    `    docker: { host: "${dockerHost}" }`,
    '    flag_source: { kind: env-file, path: ./.env }',
    `    flags: [${FLAG}]`,
    '  staging:',
    `    docker: { host: "${dockerHost}" }`,
    '    service: { container: ops-center-staging }',
    '    flag_source: { kind: env-file, path: ./staging.env }',
    `    flags: [${FLAG}, ${OTHER_FLAG}]`,
    ''
  ].join('\n')
}

beforeAll(async () => {
  const dockerHost = `tcp://127.0.0.1:${await closedLoopbackPort()}`
  session = await openConsole({
    workspaceYaml: workspaceYaml(dockerHost),
    envText: seedEnvText(25),
    prepareHistory: (_historyPath, dir) => {
      stagingEnvPath = join(dir, 'staging.env')
      writeFileSync(stagingEnvPath, STAGING_ENV)
    }
  })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const button = () => page().getByTestId('emergency-button')
const flagField = () => page().getByTestId('emergency-flag')
const cardStatus = (flag: string) => page().getByTestId(`flag-card-${flag}`).getByTestId('flag-enabled')

async function openPage(name: 'Flags' | 'Rollout' | 'History' | 'Logs'): Promise<void> {
  await page().getByRole('button', { name, exact: true }).click()
}

describe('the environment switch and the emergency action’s target', () => {
  it('starts in the workspace’s default environment, its one flag named by the emergency action', async () => {
    await expect.poll(() => cardStatus(FLAG).textContent(), WAIT).toBe('ON')
    expect(await page().getByTestId('environment-switch').inputValue()).toBe('local')
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Flags in local')
    expect(await button().textContent()).toBe(`Emergency rollback: ${FLAG} in local`)
  })

  it('switches every page to staging; with two flags there, the emergency action asks which', async () => {
    await page().getByLabel('Environment').selectOption('staging')
    await expect.poll(() => cardStatus(OTHER_FLAG).textContent(), WAIT).toBe('ON')
    expect(await page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-rollout').textContent()).toBe('50 %')
    expect(await page().getByRole('heading', { level: 1 }).textContent()).toBe('Flags in staging')
    // Nothing on screen says which flag: no guess, the first of the list included.
    expect(await button().textContent()).toBe('Emergency rollback in staging: choose a flag')
    expect(await button().getAttribute('aria-disabled')).toBe('true')
    expect(await page().getByTestId('emergency-hint').textContent()).toBe(
      'Type or pick the flag to roll back in staging.'
    )
    expect((await checkAccessibility(page(), 'console-environment-staging')).serious).toEqual([])
    await session.screenshot('console-environment-staging')

    await openPage('History')
    await expect
      .poll(() => page().getByRole('heading', { level: 2 }).last().textContent(), WAIT)
      .toBe('The latest 50 events in staging')
    await openPage('Logs')
    await expect.poll(() => page().getByTestId('logs-container').inputValue(), WAIT).toBe('ops-center-staging')
  })

  it('defaults to the Rollout panel in view: the second when scrolled to, the first when worked in', async () => {
    await openPage('Rollout')
    const second = page().getByTestId(`rollout-panel-${OTHER_FLAG}`)
    await expect.poll(() => second.getByTestId('phase-now').textContent(), WAIT).toBe('10 %')
    await page().evaluate('window.scrollTo(0, document.body.scrollHeight)')
    await expect.poll(() => button().textContent(), WAIT).toBe(`Emergency rollback: ${OTHER_FLAG} in staging`)
    await page().getByTestId(`rollout-panel-${FLAG}`).getByRole('button', { name: 'Read again' }).focus()
    await expect.poll(() => button().textContent(), WAIT).toBe(`Emergency rollback: ${FLAG} in staging`)
    await page().evaluate('window.scrollTo(0, 0)')
    await session.screenshot('console-rollout-staging')
  })

  it('finds the flag as the operator types, and names none when the text fits none or several', async () => {
    await flagField().fill('check')
    expect(await button().textContent()).toBe(`Emergency rollback: ${OTHER_FLAG} in staging`)
    await flagField().fill('zzz')
    expect(await button().textContent()).toBe('Emergency rollback in staging: choose a flag')
    expect(await page().getByTestId('emergency-hint').textContent()).toBe(
      '“zzz” names no single flag of staging: pick one from the list.'
    )
    // A blocked action does nothing, even from the keyboard.
    await flagField().press('Enter')
    expect(await page().getByTestId('emergency-result').textContent()).toBe('')
    const options = await page()
      .locator(`datalist#${await flagField().getAttribute('list')} option`)
      .evaluateAll((items) => items.map((item) => item.getAttribute('value')))
    expect(options).toEqual([FLAG, OTHER_FLAG])
  })

  it('rolls back staging’s flag, says so by name, and leaves local’s flag alone', async () => {
    await flagField().fill(FLAG)
    await page().getByLabel('Reason', { exact: true }).fill('e2e: staging error spike')
    expect(await button().textContent()).toBe(`Emergency rollback: ${FLAG} in staging`)
    await page().getByLabel('Reason', { exact: true }).press('Enter')
    const verdict = page().getByTestId('emergency-verdict')
    await expect.poll(() => verdict.textContent(), WAIT).toContain('NOT SAFE: step 2 of 6')
    expect(await verdict.textContent()).toContain(`Emergency rollback of ${FLAG} in staging.`)
    expect(readFileSync(stagingEnvPath, 'utf8')).toContain('FEATURE_UNIFIED_LLM_HUB=false')
    expect(readFileSync(stagingEnvPath, 'utf8')).toContain('FEATURE_NEW_CHECKOUT=true')
    expect(session.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=true')
    expect((await checkAccessibility(page(), 'console-emergency-staging-verdict')).serious).toEqual([])
    await session.screenshot('console-emergency-staging-verdict')

    await openPage('History')
    await expect
      .poll(async () => (await page().getByTestId('history-row').allTextContents()).join('\n'), WAIT)
      .toContain(`${FLAG} (staging)`)
    const rows = await page().getByTestId('history-row').allTextContents()
    expect(rows.every((row) => !row.includes('(local)'))).toBe(true)
    await page().getByLabel('Environment').selectOption('local')
    await expect
      .poll(() => page().getByRole('heading', { level: 2 }).last().textContent(), WAIT)
      .toBe('The latest 50 events in local')
    await expect
      .poll(async () => (await page().getByTestId('history-row').allTextContents()).join('\n'), WAIT)
      .not.toContain('(staging)')
    await openPage('Flags')
    await expect.poll(() => cardStatus(FLAG).textContent(), WAIT).toBe('ON')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
