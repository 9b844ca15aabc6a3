/**
 * The header's emergency rollback to the end, in Chromium over browser mode: the flag comes from
 * the demo service's flag API (a plain Node process, no Docker), so no restart is needed. The
 * health URL is the test's own, answering 503 until the test lets it pass, so the page can be
 * seen showing the steps live while the run waits; then it shows "SAFE in …".
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkAccessibility } from '../support/axe-check'
import { startDemoService, type DemoServiceProcess } from '../support/demo-service-process'
import { closedLoopbackPort, FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import { ANY_DURATION } from '../support/duration-text'

const DEMO_ENV = [
  'FEATURE_UNIFIED_LLM_HUB=true',
  'FEATURE_LLM_HUB_ROLLOUT=25',
  'FEATURE_LLM_HUB_WHITELIST=admin@example.com',
  'FEATURE_LLM_HUB_BLACKLIST=',
  'FEATURE_LLM_HUB_START_DATE=2025-10-27',
  'FEATURE_LLM_HUB_END_DATE=',
  ''
].join('\n')

let demo: DemoServiceProcess
let session: ConsoleSession
let health: Server
let healthUrl: string
let healthy = false

beforeAll(async () => {
  health = createServer((_request, response) => {
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' })
    response.end(healthy ? 'ok' : 'starting')
  })
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve))
  const address = health.address()
  if (typeof address !== 'object' || address === null) throw new Error('the health server has no port')
  healthUrl = `http://127.0.0.1:${address.port}/health`
  // No generated traffic: only the flag API and /health matter here.
  demo = await startDemoService(DEMO_ENV, { DEMO_RPS: '0' })
  // The log capture step reads Docker; with no engine it notes the problem and the run goes on.
  const dockerHost = `tcp://127.0.0.1:${await closedLoopbackPort()}`
  session = await openConsole({
    workspaceYaml: `version: 1
default_environment: api
environments:
  api:
    docker:
      host: ${dockerHost}
    service:
      container: ops-center-demo
      health_url: ${healthUrl}
    flag_source:
      kind: http
      base_url: ${demo.baseUrl}
    flags: [${FLAG}]
`,
    envText: ''
  })
})

afterAll(async () => {
  await session?.close()
  await demo?.stop()
  await new Promise((resolve) => health?.close(resolve))
})

async function demoFlagEnabled(): Promise<unknown> {
  const response = await fetch(`${demo.baseUrl}/api/v1/features/${FLAG}`)
  const body = (await response.json()) as { config?: { enabled?: unknown }; enabled?: unknown }
  return body.config?.enabled ?? body.enabled
}

describe('the emergency rollback of a flag served by its API', () => {
  it('shows each step live while the run waits for health: the flag-off step ticked, the wait running', async () => {
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('ON')
    await page().getByLabel('Reason', { exact: true }).fill('e2e: latency regression')
    await page()
      .getByRole('button', { name: `Emergency rollback: ${FLAG} in api` })
      .click()

    const steps = page().getByTestId('runbook-step')
    await expect.poll(() => steps.nth(1).getAttribute('data-status'), WAIT).toBe('running')
    expect(await steps.nth(1).textContent()).toContain(`Wait for health: ${healthUrl}`)
    expect(await steps.nth(0).getAttribute('data-status')).toBe('done')
    expect(await steps.nth(0).textContent()).toMatch(new RegExp(`✓.*Disable unified_llm_hub.*${ANY_DURATION}`))
    expect(await page().getByTestId('emergency-verdict').textContent()).toBe(
      `Running the emergency rollback of ${FLAG} in api…`
    )
    expect(
      await page()
        .getByRole('button', { name: `Rolling back ${FLAG} in api…` })
        .isDisabled()
    ).toBe(true)
    expect((await checkAccessibility(page(), 'emergency-live')).serious).toEqual([])
    expect(await demoFlagEnabled()).toBe(false)
    await session.screenshot('emergency-live')
  })

  it('says SAFE with the time to safe once health answers, every step ticked', async () => {
    healthy = true
    const verdict = page().getByTestId('emergency-verdict')
    await expect.poll(() => verdict.textContent(), WAIT).toMatch(new RegExp(`^SAFE in ${ANY_DURATION} `))
    expect(await verdict.textContent()).toContain(`${FLAG} is off in api, health: ${healthUrl}`)
    const steps = page().getByTestId('runbook-step')
    const statuses = await steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))
    expect(statuses).toEqual(['done', 'done', 'done', 'done', 'done'])
    expect(await steps.nth(1).textContent()).toContain(`${healthUrl} answered after`)
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('OFF')
    expect((await checkAccessibility(page(), 'emergency-safe')).serious).toEqual([])
    await session.screenshot('emergency-safe')
  })

  it('clears the outcome from the header on Dismiss', async () => {
    await page().getByRole('button', { name: 'Dismiss' }).click()
    await expect.poll(() => page().getByTestId('emergency-verdict').count(), WAIT).toBe(0)
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})

function page() {
  return session.page
}
