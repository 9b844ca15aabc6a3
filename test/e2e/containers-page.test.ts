/**
 * The Containers page in Chromium over browser mode, on a real app context and the real Docker
 * engine: the environment's service is a container from the Node fixture image writing a line a
 * second; its Postgres names a container that does not exist. The operator restarts, stops and
 * starts the service with its name typed (a wrong name is refused in place), and opens its log
 * from the list. What the page says is checked against the engine's own inspection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { seedEnvText, SEED_ENV_FILE_SOURCE_YAML } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import { openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import {
  connectTestEngine,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName
} from '../support/docker-test-env'

// One numbered line a second; it stops by itself after ten minutes, or at once on SIGTERM (as PID 1,
// node would otherwise ignore it, and every stop and restart would wait for the engine's SIGKILL).
const WRITER = `process.on('SIGTERM', () => process.exit(0))
let n = 0
const timer = setInterval(() => {
  n += 1
  console.log('containers-page ' + n)
  if (n >= 600) clearInterval(timer)
}, 1000)`

let engine: DockerEngine
let session: ConsoleSession
const service = uniqueContainerName('containers-page')
const absentPostgres = uniqueContainerName('containers-absent')

function workspaceYaml(dockerHost: string): string {
  return `version: 1
default_environment: local
environments:
  local:
    docker:
      host: ${dockerHost}
    service:
      container: ${service}
    postgres:
      container: ${absentPostgres}
      host: 127.0.0.1
      port: 5432
      user: rampart
      password: \${CONTAINERS_E2E_PG_PASSWORD:-unused}
      database: containers_e2e
${SEED_ENV_FILE_SOURCE_YAML}`
}

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await engine.createContainer({
    name: service,
    image: NODE_FIXTURE_IMAGE,
    env: {},
    cmd: ['node', '-e', WRITER],
    network: 'host',
    labels: TEST_LABELS
  })
  await engine.startContainer(service)
  session = await openConsole({ workspaceYaml: workspaceYaml(engine.endpoint.display), envText: seedEnvText(10) })
  await session.page.getByRole('button', { name: 'Containers', exact: true }).click()
}, 60_000)

afterAll(async () => {
  await session?.close()
  if (engine !== undefined) {
    await removeContainers(engine, [service])
    engine.close()
  }
})

const page = () => session.page
const row = (name: string) => page().locator(`[data-testid="container-row"][data-container="${name}"]`)
const outcome = () => page().getByTestId('container-outcome').textContent()

async function checked(state: string): Promise<void> {
  const report = await checkAccessibility(page(), state)
  expect(report.serious, JSON.stringify(report.serious, null, 1)).toEqual([])
  expect(report.violations, JSON.stringify(report.violations, null, 1)).toEqual([])
  await session.screenshot(state)
}

async function engineState(): Promise<{ state: string | undefined; startedAt: string | null | undefined }> {
  const info = await engine.inspectContainer(service)
  return { state: info?.state, startedAt: info?.startedAt }
}

describe('the Containers page in Chromium over browser mode', () => {
  it("lists the environment's service and Postgres containers with their state", async () => {
    await expect.poll(() => row(service).getAttribute('data-state'), WAIT).toBe('running')
    expect(await row(service).getByTestId('container-state').textContent()).toBe('running')
    expect(await row(absentPostgres).getAttribute('data-state')).toBe('absent')
    expect(await row(absentPostgres).textContent()).toContain('Postgres')
    await checked('containers-list')
  })

  it('restarts the service only once its name is typed: a wrong name is refused in place', async () => {
    const before = await engineState()
    await page()
      .getByRole('button', { name: `Restart ${service}`, exact: true })
      .click()
    const confirmation = page().getByTestId('container-confirmation')
    // The typed confirmation takes the focus: the keyboard goes on from there.
    await expect
      .poll(() => confirmation.evaluate((field) => field === field.ownerDocument.activeElement), WAIT)
      .toBe(true)
    await checked('containers-restart-confirm')

    await confirmation.fill('not-the-container')
    await page().getByTestId('container-submit').click()
    const refusal = page().getByTestId('container-form').locator('[role="alert"]')
    await expect.poll(() => refusal.textContent(), WAIT).toContain(`type the container name "${service}"`)
    expect(await engineState()).toEqual(before)
    await checked('containers-restart-refused')

    await confirmation.fill(service)
    await page().getByTestId('container-submit').click()
    await expect.poll(outcome, WAIT).toBe(`Restarted ${service}: now running.`)
    const after = await engineState()
    expect(after.state).toBe('running')
    expect(after.startedAt).not.toBe(before.startedAt)
    expect(await page().getByTestId('container-form').count()).toBe(0)
    await checked('containers-restarted')
  })

  it('closes a confirmation on Escape without acting, the focus back on its button', async () => {
    const before = await engineState()
    const stop = page().getByRole('button', { name: `Stop ${service}`, exact: true })
    await stop.click()
    await expect.poll(() => page().getByTestId('container-form').count(), WAIT).toBe(1)
    await page().keyboard.press('Escape')
    await expect.poll(() => page().getByTestId('container-form').count(), WAIT).toBe(0)
    await expect.poll(() => stop.evaluate((button) => button === button.ownerDocument.activeElement), WAIT).toBe(true)
    expect(await engineState()).toEqual(before)
  })

  it('stops and starts the service, each with its name typed', async () => {
    await page()
      .getByRole('button', { name: `Stop ${service}`, exact: true })
      .click()
    await page().getByTestId('container-confirmation').fill(service)
    await page().getByTestId('container-submit').click()
    await expect.poll(outcome, WAIT).toMatch(new RegExp(`^Stopped ${service}: now exited`))
    expect((await engineState()).state).toBe('exited')
    await expect.poll(() => row(service).getAttribute('data-state'), WAIT).toBe('exited')
    await checked('containers-stopped')

    await page()
      .getByRole('button', { name: `Start ${service}`, exact: true })
      .click()
    await page().getByTestId('container-confirmation').fill(service)
    await page().getByTestId('container-submit').click()
    await expect.poll(outcome, WAIT).toBe(`Started ${service}: now running.`)
    expect((await engineState()).state).toBe('running')
  })

  it("opens the container's log in one click: the Logs page follows it", async () => {
    await page()
      .getByRole('button', { name: `Logs of ${service}`, exact: true })
      .click()
    await expect
      .poll(() => page().getByTestId('logs-status').textContent(), WAIT)
      .toMatch(new RegExp(`^Following ${service} in local: \\d+ lines so far\\.$`))
    expect(await page().getByTestId('logs-container').inputValue()).toBe(service)
    await expect
      .poll(
        async () => (await page().locator('[data-testid="log-terminal"] .xterm-rows > div').allTextContents()).join(),
        WAIT
      )
      .toMatch(/containers-page \d+/)
    await checked('containers-logs')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
