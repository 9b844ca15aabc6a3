/**
 * The console in Chromium over browser mode, on a real app context: a temporary workspace
 * folder (rampart.config.yaml, .env, RAMPART_HOME with its history file), the browser-mode
 * server on loopback, and Debian's Chromium driven by playwright-core. Console errors, warnings
 * and CSP violations are collected so each test file can assert there were none.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createAppContext, type AppContext } from '@main/app/app-context'
import { startBrowserServer, type BrowserServer } from '@main/transport/browser-server'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'
import type { Clock } from '@main/platform/clock'
import { SEED_ENV_FILE_SOURCE_YAML } from '@test/fixtures/service-workspace'

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const RESULTS_DIR = fileURLToPath(new URL('../../test-results', import.meta.url))
const CHROMIUM = '/usr/bin/chromium'
/** For expect.poll: the page answers over a WebSocket and history is polled every 500 ms. */
export const WAIT = { timeout: 20_000, interval: 50 }
export const FLAG = 'unified_llm_hub'

export interface ConsoleOptions {
  /** The workspace file's text; `{dir}` is replaced by the workspace folder. */
  workspaceYaml: string
  envText: string
  actor?: string
  /** Runs before the app opens the history file, e.g. to leave an interrupted run in it. */
  prepareHistory?: (historyPath: string, dir: string) => void | Promise<void>
  /**
   * Start main's guard supervision, as the app and `rampart serve` do (createAppContext alone
   * does not): at once with `true`, or with a quicker pace. Without it nothing watches the guards.
   */
  supervise?: boolean | { pollMs: number; retryMs: number }
  /** Main's clock, for a history whose events lie in the past (a review of last week's rollouts). */
  clock?: Clock
}

export interface ConsoleSession {
  dir: string
  envPath: string
  historyPath: string
  context: AppContext
  server: BrowserServer
  browser: Browser
  page: Page
  /** Console errors and warnings, page errors, CSP violations: should stay empty. */
  consoleProblems: string[]
  readEnv(): string
  writeEnv(text: string): void
  screenshot(name: string): Promise<void>
  close(): Promise<void>
}

export async function openConsole(options: ConsoleOptions): Promise<ConsoleSession> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(
      `${RENDERER_DIR}/index.html is missing: ` +
        'run `npx electron-vite build` first (`npm test` does it before vitest)'
    )
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`)

  const dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-'))
  const home = join(dir, 'home')
  mkdirSync(home)
  const envPath = join(dir, '.env')
  const historyPath = join(home, 'history.db')
  writeFileSync(join(dir, 'rampart.config.yaml'), options.workspaceYaml.replaceAll('{dir}', dir))
  writeFileSync(envPath, options.envText)
  await options.prepareHistory?.(historyPath, dir)

  const context = await createAppContext({
    workspacePath: join(dir, 'rampart.config.yaml'),
    env: { ...process.env, RAMPART_HOME: home, RAMPART_WORKSPACE: '' },
    cwd: dir,
    actor: options.actor ?? 'e2e',
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(typeof options.supervise === 'object' ? { supervision: options.supervise } : {})
  })
  if (options.supervise !== undefined && options.supervise !== false) context.services.supervisor.start()
  const server = await startBrowserServer({
    handlers: context.handlers,
    producers: context.producers,
    rendererDir: RENDERER_DIR,
    contentSecurityPolicy
  })
  const browser = await chromium.launch({
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const consoleProblems: string[] = []
  // A CSP violation (an inline style or script slipping into the build) shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      consoleProblems.push(`${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => consoleProblems.push(error.message))
  await page.goto(server.url)

  return {
    dir,
    envPath,
    historyPath,
    context,
    server,
    browser,
    page,
    consoleProblems,
    readEnv: () => readFileSync(envPath, 'utf8'),
    writeEnv: (text) => writeFileSync(envPath, text),
    screenshot: async (name) => {
      mkdirSync(RESULTS_DIR, { recursive: true })
      // From the top: the sticky header would otherwise be drawn wherever the page was scrolled to.
      await page.evaluate('window.scrollTo(0, 0)')
      await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true })
    },
    close: async () => {
      await browser.close()
      await server.close()
      await context.services.supervisor.stop()
      context.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * A loopback TCP port nothing listens on: a Docker endpoint there is refused at once, so a
 * runbook step that needs the engine fails fast with `unreachable`.
 */
export function closedLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))
      )
    })
  })
}

/**
 * One environment, `local`, reading the seed's flag from ./.env, with its Docker engine at
 * `dockerHost` and, when given, its service in container `serviceContainer`.
 */
export function envFileWorkspaceYaml(dockerHost: string, serviceContainer?: string): string {
  const service = serviceContainer === undefined ? '' : `    service:\n      container: ${serviceContainer}\n`
  return `version: 1
default_environment: local
environments:
  local:
    docker:
      host: ${dockerHost}
${service}${SEED_ENV_FILE_SOURCE_YAML}`
}
