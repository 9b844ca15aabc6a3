/**
 * Every page and state of the console under axe-core (no serious or critical violation), the
 * keyboard paths (skip link, focus after submit, Escape and a finished run, blocked moves'
 * reasons), the layout at 420 px (no sideways scroll, the emergency action in view) and a
 * screenshot of each, in Chromium over browser mode. No Docker engine: the engine is a closed
 * loopback port, so main's supervision cannot watch the flag (and says so), and the emergency
 * rollback stops at the restart step after turning the flag off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

let session: ConsoleSession

beforeAll(async () => {
  session = await openConsole({
    workspaceYaml: envFileWorkspaceYaml(`tcp://127.0.0.1:${await closedLoopbackPort()}`),
    envText: seedEnvText(25),
    supervise: { pollMs: 200, retryMs: 1000 }
  })
})

afterAll(async () => {
  await session?.close()
})

const page = () => session.page
const panel = () => page().getByTestId(`rollout-panel-${FLAG}`)
const emergencyButton = () => page().getByTestId('emergency-button')

async function openPage(name: 'Flags' | 'Rollout' | 'History' | 'Logs'): Promise<void> {
  await page().getByRole('button', { name, exact: true }).click()
}

/** axe over the page as it stands: none serious or critical, and a picture of it. */
async function checked(state: string): Promise<void> {
  const report = await checkAccessibility(page(), state)
  expect(report.serious, JSON.stringify(report.serious, null, 1)).toEqual([])
  await session.screenshot(state)
}

/** What has the keyboard focus: its id, test id or tag, never <body>. */
function focused(): Promise<{ tag: string; id: string; testId: string | null; text: string }> {
  // Page code as text: this project's test tsconfig has no DOM types.
  return page().evaluate(`(() => {
    const element = document.activeElement ?? document.body
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      testId: element.getAttribute('data-testid'),
      text: (element.textContent ?? '').slice(0, 80)
    }
  })()`)
}

describe('every page and state passes axe, reads by keyboard and fits a narrow window', () => {
  it('Flags: the worst guard state in the title, the emergency action naming flag and environment', async () => {
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('ON')
    expect(await emergencyButton().textContent()).toBe(`Emergency rollback: ${FLAG} in local`)
    // Main cannot watch the flag without a Docker engine: the title says so on every page.
    await expect.poll(() => page().title(), WAIT).toBe(`UNWATCHED ${FLAG} (local) — Rampart`)
    expect(await page().getByRole('button', { name: 'Notify me on this desktop' }).isVisible()).toBe(true)
    await checked('console-flags')
  })

  it('the first Tab reaches the skip link, which takes the focus to the page past the header', async () => {
    await page().evaluate('document.activeElement?.blur()')
    await page().keyboard.press('Tab')
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Skip to main content' })
    await page().keyboard.press('Enter')
    expect(await focused()).toMatchObject({ tag: 'main', id: 'main-content' })
  })

  it('Flags: an evaluation result, the focus staying in the form', async () => {
    await page().getByLabel('User id', { exact: true }).fill('user-1001')
    await page().getByLabel('User id', { exact: true }).press('Enter')
    await expect.poll(() => page().getByTestId('evaluation-for').textContent(), WAIT).toBe('user-1001')
    expect((await focused()).testId).toBe('evaluation-user')
    await checked('console-flags-evaluation')
  })

  it('Rollout: main’s supervision says why the guards are not watched, and blocked moves are reachable', async () => {
    await openPage('Rollout')
    // State and text read together: main retries a failed watch, and on a busy machine the
    // indicator can pass through "starting" between two separate reads.
    await expect
      .poll(
        () =>
          panel()
            .getByTestId('guard-watch')
            .evaluate((element) => `${element.getAttribute('data-state')} | ${element.textContent}`),
        WAIT
      )
      .toMatch(/^failed \| Guards not watched: /)
    expect(await panel().getByTestId('guard-verdict').textContent()).toBe('NO VERDICT YET')
    // Advance is blocked, yet focusable, its gate and every reason read with it.
    const advance = panel().getByTestId('move-advance')
    expect(await advance.getAttribute('aria-disabled')).toBe('true')
    await advance.focus()
    expect((await focused()).testId).toBe('move-advance')
    const describedBy = (await advance.getAttribute('aria-describedby')) ?? ''
    const described = (
      await Promise.all(describedBy.split(' ').map((id) => page().locator(`[id="${id}"]`).textContent()))
    ).join(' | ')
    expect(described).toContain('Gate: the guards pass, for the soak time')
    expect(described).toContain('guards have no verdict yet')
    await checked('console-rollout')
  })

  it('Rollout: Escape closes a move’s form and gives the focus back to the move', async () => {
    await panel().getByTestId('move-back').click()
    expect(await focused()).toMatchObject({ tag: 'input' })
    await checked('console-rollout-move-form')
    await page().keyboard.press('Escape')
    await expect.poll(() => panel().getByTestId('move-form').count(), WAIT).toBe(0)
    expect((await focused()).testId).toBe('move-back')
  })

  it(
    'Rollout: a refused move keeps its form and the focus; ' + 'a written one moves the focus to what happened',
    async () => {
      await panel().getByTestId('move-back').click()
      await page().getByLabel('Reason for this move (recorded)').press('Enter')
      await expect.poll(() => panel().getByTestId('move-form').textContent(), WAIT).toContain('reason is empty')
      expect((await focused()).tag).toBe('input')
      await checked('console-rollout-move-refused')
      await page().getByLabel('Reason for this move (recorded)').fill('a11y: step back')
      await page().getByLabel('Reason for this move (recorded)').press('Enter')
      await expect.poll(() => panel().getByTestId('move-outcome').count(), WAIT).toBe(1)
      const outcome = await focused()
      expect(outcome.tag).toBe('div')
      expect(outcome.text).toMatch(/^Written and recorded as event #\d+, but the service has not picked it up/)
      await expect.poll(() => panel().getByTestId('phase-now').textContent(), WAIT).toBe('10 %')
      await checked('console-rollout-move-unapplied')
    }
  )

  it('History and Logs', async () => {
    await openPage('History')
    await expect.poll(() => page().getByTestId('chain-status').textContent(), WAIT).toMatch(/^Chain intact/)
    await checked('console-history')
    await openPage('Logs')
    await expect.poll(() => page().getByTestId('logs-container').inputValue(), WAIT).toBe('ops-center-direct')
    await checked('console-logs')
  })

  it('the emergency rollback refused without a reason: said in the header, the focus on what was said', async () => {
    await openPage('Flags')
    await emergencyButton().click()
    await expect
      .poll(() => page().getByTestId('emergency-result').textContent(), WAIT)
      .toContain('a reason is required')
    expect((await focused()).testId).toBe('emergency-result')
    await checked('console-emergency-refused')
  })

  it(
    'a finished emergency run folds its steps away so the header stays compact, ' +
      'and Dismiss gives the focus back to the reason',
    async () => {
      await page().getByRole('button', { name: 'Dismiss' }).click()
      expect(await focused()).toMatchObject({ tag: 'input' })
      const before = await headerHeight()
      await page().getByLabel('Reason', { exact: true }).fill('a11y: error spike')
      await page().getByLabel('Reason', { exact: true }).press('Enter')
      const verdict = page().getByTestId('emergency-verdict')
      await expect.poll(() => verdict.textContent(), WAIT).toContain('NOT SAFE: step 2 of 6')
      expect((await focused()).testId).toBe('emergency-result')
      expect(await page().getByTestId('runbook-step').first().isVisible()).toBe(false)
      const toggle = page().getByTestId('emergency-steps-toggle')
      expect(await toggle.getAttribute('aria-expanded')).toBe('false')
      // The verdict adds a few lines to the header (the failed step, its error), never the run's six steps.
      const folded = await headerHeight()
      expect(folded).toBeLessThan(before + 150)
      await checked('console-emergency-verdict')
      await toggle.click()
      expect(await page().getByTestId('runbook-step').first().isVisible()).toBe(true)
      expect(await headerHeight()).toBeGreaterThan(folded + 100)
      await checked('console-emergency-verdict-steps')
      await toggle.click()
    }
  )

  it('at 420 px wide: no page scrolls sideways, and the emergency action is whole and in view', async () => {
    await page().setViewportSize({ width: 420, height: 900 })
    for (const name of ['Flags', 'Rollout', 'History', 'Logs'] as const) {
      await openPage(name)
      await expect.poll(() => page().getByRole('heading', { level: 1 }).textContent(), WAIT).toMatch(name)
      const fit = await page().evaluate<{ scroll: number; width: number }>(
        '({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth })'
      )
      expect(fit.scroll, name).toBeLessThanOrEqual(fit.width)
      const box = await emergencyButton().boundingBox()
      expect(box, name).not.toBeNull()
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width).toBeLessThanOrEqual(420)
      expect(box!.y + box!.height).toBeLessThanOrEqual(900)
      const report = await checkAccessibility(page(), `console-420px-${name.toLowerCase()}`)
      expect(report.serious, name).toEqual([])
      await session.screenshot(name === 'Flags' ? 'console-420px' : `console-420px-${name.toLowerCase()}`)
    }
    await page().setViewportSize({ width: 1280, height: 900 })
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})

function headerHeight(): Promise<number> {
  return page().evaluate<number>("document.querySelector('.app-header').getBoundingClientRect().height")
}
