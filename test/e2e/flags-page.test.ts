import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '@main/app/app-context'
import { closedLoopbackPort } from '../support/browser-console'
import { startBrowserServer, type BrowserServer } from '@main/transport/browser-server'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'
import { evaluateFlag } from '@main/flags/core/flag-evaluation'
import type { FlagState } from '@shared/flag-state'
import { requireBuiltCli, runRampart } from '../fixtures/rampart-cli'
import { SEED_ENV_FILE_SOURCE_YAML } from '../fixtures/service-workspace'

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const RESULTS_DIR = fileURLToPath(new URL('../../test-results', import.meta.url))
const CHROMIUM = '/usr/bin/chromium'
const FLAG = 'unified_llm_hub'
const WHITELISTED = 'admin@example.com'
const OTHER_USER = 'user-1001'
const WAIT = { timeout: 20_000, interval: 50 }

// The state the page must show, written to the env file below in the seed's variable names.
const STATE: FlagState = {
  enabled: true,
  rollout_percentage: 25,
  whitelist_users: [WHITELISTED, 'qa@example.com'],
  blacklist_users: [],
  start_date: null,
  end_date: null
}

// No Docker here: the engine is a loopback port nothing listens on (filled in below), so the
// emergency rollback's restart step fails fast after the flag is off.
const WORKSPACE_YAML = `version: 1
default_environment: local
environments:
  local:
    docker:
      host: tcp://127.0.0.1:{closedPort}
${SEED_ENV_FILE_SOURCE_YAML}`

const ENV_FILE = `# ops-center feature flags
FEATURE_UNIFIED_LLM_HUB=true
FEATURE_LLM_HUB_ROLLOUT=25
FEATURE_LLM_HUB_WHITELIST=${STATE.whitelist_users.join(',')}
FEATURE_LLM_HUB_BLACKLIST=
`

let workspaceDir: string
let context: AppContext
let server: BrowserServer
let browser: Browser
let page: Page
const consoleProblems: string[] = []

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(
      `${RENDERER_DIR}/index.html is missing: run \`npm run build\` first (\`npm test\` does it before vitest)`
    )
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`)

  workspaceDir = mkdtempSync(join(tmpdir(), 'rampart-e2e-'))
  const rampartHome = join(workspaceDir, 'home')
  mkdirSync(rampartHome)
  writeFileSync(
    join(workspaceDir, 'rampart.config.yaml'),
    WORKSPACE_YAML.replace('{closedPort}', String(await closedLoopbackPort()))
  )
  writeFileSync(join(workspaceDir, '.env'), ENV_FILE)

  context = await createAppContext({
    workspacePath: join(workspaceDir, 'rampart.config.yaml'),
    env: { ...process.env, RAMPART_HOME: rampartHome, RAMPART_WORKSPACE: '' },
    cwd: workspaceDir,
    actor: 'e2e'
  })
  server = await startBrowserServer({
    handlers: context.handlers,
    producers: context.producers,
    rendererDir: RENDERER_DIR,
    contentSecurityPolicy
  })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  // A CSP violation (an inline style or script slipping into the build) shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      consoleProblems.push(`${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => consoleProblems.push(error.message))
  await page.goto(server.url)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  context?.close()
  if (workspaceDir !== undefined) rmSync(workspaceDir, { recursive: true, force: true })
})

const card = () => page.getByTestId(`flag-card-${FLAG}`)
const text = (testId: string) => () => page.getByTestId(testId).first().textContent()

async function evaluate(user: string): Promise<void> {
  await page.getByLabel('User id', { exact: true }).fill(user)
  // Enter, not a click: the panel must work from the keyboard.
  await page.getByLabel('User id', { exact: true }).press('Enter')
  await expect.poll(text('evaluation-for'), WAIT).toBe(user)
}

describe('the flags page in Chromium over browser mode', () => {
  it('shows the flag as its env file holds it: on, 25 %, the whitelist and the source', async () => {
    await expect.poll(() => card().getByTestId('flag-enabled').textContent(), WAIT).toBe('ON')
    expect(await card().getByTestId('flag-rollout').textContent()).toBe('25 %')
    expect(await card().getByTestId('flag-whitelist').textContent()).toBe(STATE.whitelist_users.join(', '))
    expect(await card().getByTestId('flag-blacklist').textContent()).toBe('none')
    expect(await card().textContent()).toContain(join(workspaceDir, '.env'))
    expect(await page.getByTestId('connection-state').textContent()).toBe('Connected')
  })

  it('removes the token from the address bar once the page has it', () => {
    expect(page.url()).not.toContain(server.token)
  })

  it('evaluates a whitelisted user as whitelisted', async () => {
    await evaluate(WHITELISTED)
    expect(await page.getByTestId('evaluation-reason').textContent()).toBe('whitelisted')
    expect(await page.getByTestId('evaluation-enabled').textContent()).toBe('ON')
  })

  it('evaluates another user with the reason and bucket the core computes', async () => {
    // The page evaluates at the current instant; the state has no date gates, so any instant agrees.
    const core = evaluateFlag(FLAG, STATE, OTHER_USER, Date.parse('2026-01-01T00:00:00Z'))
    await evaluate(OTHER_USER)
    expect(await page.getByTestId('evaluation-reason').textContent()).toBe(core.reason)
    expect(await page.getByTestId('evaluation-bucket').textContent()).toBe(String(core.bucket))
    expect(await page.getByTestId('evaluation-enabled').textContent()).toBe(core.enabled ? 'ON' : 'OFF')
    mkdirSync(RESULTS_DIR, { recursive: true })
    await page.screenshot({ path: join(RESULTS_DIR, 'flags-page.png'), fullPage: true })
  })

  it('evaluates without a user id by main’s rule for that case, and says nothing of a bucket', async () => {
    await page.getByLabel('User id', { exact: true }).fill('   ')
    await page.getByLabel('User id', { exact: true }).press('Enter')
    await expect.poll(text('evaluation-for'), WAIT).toBe('(no user id)')
    expect(await page.getByTestId('evaluation-reason').textContent()).toBe('outside_rollout')
    expect(await page.getByTestId('evaluation-reason-text').textContent()).toBe(
      'without a user id the feature is on only at 100 % (whitelisted users are recognised only by their id)'
    )
    expect(await page.getByTestId('evaluation-result').textContent()).not.toMatch(/bucket/i)
    expect(await page.getByTestId('evaluation-bucket').count()).toBe(0)
  })

  it(
    'trims a pasted user id before evaluating, as the CLI is given it: ' +
      '"  ADMIN@example.com " is ADMIN@example.com, whitelisted, in bucket 57 as the CLI says',
    async () => {
      await page.getByLabel('User id', { exact: true }).fill('  ADMIN@example.com ')
      await page.getByLabel('User id', { exact: true }).press('Enter')
      await expect.poll(text('evaluation-for'), WAIT).toBe('ADMIN@example.com')
      expect(await page.getByLabel('User id', { exact: true }).inputValue()).toBe('ADMIN@example.com')
      expect(await page.getByTestId('evaluation-reason').textContent()).toBe('whitelisted')
      expect(await page.getByTestId('evaluation-bucket').textContent()).toBe('57')
      requireBuiltCli()
      const cli = runRampart(['flags', 'eval', '--flag', FLAG, '--user', 'ADMIN@example.com', '--json'], {
        cwd: workspaceDir,
        env: { RAMPART_HOME: join(workspaceDir, 'home') }
      })
      expect(cli.status, cli.stderr).toBe(0)
      expect(JSON.parse(cli.stdout)).toMatchObject({ user: 'ADMIN@example.com', reason: 'whitelisted', bucket: 57 })
    }
  )

  it('refuses an emergency rollback without a reason, says so in the header, and leaves the flag on', async () => {
    await page.getByRole('button', { name: `Emergency rollback: ${FLAG} in local` }).click()
    await expect.poll(text('emergency-result'), WAIT).toMatch(/reason/i)
    expect(await card().getByTestId('flag-enabled').textContent()).toBe('ON')
    expect(readFileSync(join(workspaceDir, '.env'), 'utf8')).toContain('FEATURE_UNIFIED_LLM_HUB=true')
  })

  it(
    'turns the flag off from the header with a reason: ' + 'the page shows it off and the env file says false',
    async () => {
      await page.getByLabel('Reason', { exact: true }).fill('e2e: error rate spike')
      await page.getByRole('button', { name: `Emergency rollback: ${FLAG} in local` }).click()
      await expect.poll(() => card().getByTestId('flag-enabled').textContent(), WAIT).toBe('OFF')
      // Without a Docker engine the run stops at the restart, after the flag-off step.
      await expect
        .poll(text('emergency-verdict'), WAIT)
        .toMatch(/NOT SAFE: step 2 of 6, “Restart container ops-center-direct”, failed/)
      expect(readFileSync(join(workspaceDir, '.env'), 'utf8')).toContain('FEATURE_UNIFIED_LLM_HUB=false')
      await page.screenshot({ path: join(RESULTS_DIR, 'flags-page-killed.png'), fullPage: true })
    }
  )

  it('keeps working after a reload, through the cookie, and shows the state that lives in main', async () => {
    await page.reload()
    await expect.poll(() => card().getByTestId('flag-enabled').textContent(), WAIT).toBe('OFF')
    await expect.poll(text('connection-state'), WAIT).toBe('Connected')
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(consoleProblems).toEqual([])
  })
})
