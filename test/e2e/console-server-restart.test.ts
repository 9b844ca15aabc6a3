/**
 * `rampart serve` restarted on the same address draws a new token: the open page's token and
 * cookie are then refused. The page must stop reconnecting and say what to do, in Chromium over
 * browser mode, rather than say "reconnecting" forever.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'
import { startBrowserServer, type BrowserServer } from '@main/transport/browser-server'
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

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const NOTICE = 'The console server restarted with a new address; open the address it printed.'

let session: ConsoleSession
let restarted: BrowserServer | undefined

beforeAll(async () => {
  session = await openConsole({
    workspaceYaml: envFileWorkspaceYaml(`tcp://127.0.0.1:${await closedLoopbackPort()}`),
    envText: seedEnvText(25)
  })
})

afterAll(async () => {
  await restarted?.close()
  await session?.close()
})

const page = () => session.page
const badge = () => page().getByTestId('connection-state')

describe('the console after its server restarted with a new token', () => {
  it('is connected to the first server', async () => {
    await expect.poll(() => badge().textContent(), WAIT).toBe('Connected')
    await expect
      .poll(() => page().getByTestId(`flag-card-${FLAG}`).getByTestId('flag-enabled').textContent(), WAIT)
      .toBe('ON')
  })

  it('stops reconnecting once the new server refuses its token, and says to open the printed address', async () => {
    const port = Number(new URL(session.server.origin).port)
    await session.server.close()
    restarted = await startBrowserServer({
      handlers: session.context.handlers,
      producers: session.context.producers,
      rendererDir: RENDERER_DIR,
      contentSecurityPolicy,
      port
    })
    expect(restarted.token).not.toBe(session.server.token)
    await expect.poll(() => badge().textContent(), WAIT).toBe('Disconnected: new address needed')
    expect(await page().getByTestId('connection-notice').textContent()).toBe(NOTICE)
    expect((await checkAccessibility(page(), 'console-server-restarted')).serious).toEqual([])
    await session.screenshot('console-server-restarted')
  })

  it('works again at the address the new server printed', async () => {
    await page().goto(restarted!.url)
    await expect.poll(() => badge().textContent(), WAIT).toBe('Connected')
    expect(await page().getByTestId('connection-notice').count()).toBe(0)
  })

  it('ran without errors other than the refused reconnection', () => {
    // Chromium logs the refused WebSocket handshake and /session answer itself. It also fetches the
    // tab's icon on its own schedule, which on a busy machine can fall in the restart's gap and be
    // refused. Nothing else may appear.
    const expected = /WebSocket connection to .* failed|status of 40[13]|ERR_CONNECTION_REFUSED \(\S+\/favicon\.svg\)$/
    expect(session.consoleProblems.filter((problem) => !expected.test(problem))).toEqual([])
  })
})
