/**
 * The logs page in Chromium over browser mode, on a real app context and a real container from
 * the Node fixture image that keeps writing known lines to stdout and stderr (JSON API_CALL and
 * ERROR events among them). The workspace's `local` environment names that container as its
 * service; `offline` points at a loopback port nothing listens on. The terminal's text is read
 * from xterm's DOM rows; whether main closed the Docker stream is read from the engine's open
 * connections.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { seedEnvText, SEED_ENV_FILE_SOURCE_YAML } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import { closedLoopbackPort, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import {
  connectTestEngine,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from '../support/docker-test-env'

// Five lines every 100 ms, numbered: three to stdout (one with escape sequences that would clear
// the screen and turn the text red if obeyed), two to stderr. It stops by itself after ten minutes.
const WRITER = `let n = 0
const timer = setInterval(() => {
  n += 1
  console.log('plain-out ' + n)
  console.log('\\x1b[2J\\x1b[31mescaped ' + n)
  console.log(JSON.stringify({ event_type: 'API_CALL', endpoint: '/api/e2e', status_code: 200, n }))
  console.error(JSON.stringify({ event_type: 'ERROR', error_type: 'E2E', n }))
  console.error('plain-err ' + n)
  if (n >= 6000) clearInterval(timer)
}, 100)`

let engine: DockerEngine
let session: ConsoleSession
const writer = uniqueContainerName('logs-page')
const missing = uniqueContainerName('logs-missing')
let engineHost: string
let offlineHost: string

function workspaceYaml(): string {
  const environment = (name: string, dockerHost: string) => `  ${name}:
    docker:
      host: ${dockerHost}
    service:
      container: ${writer}
${SEED_ENV_FILE_SOURCE_YAML}`
  return (
    'version: 1\ndefault_environment: local\nenvironments:\n' +
    `${environment('local', engineHost)}${environment('offline', offlineHost)}`
  )
}

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  engineHost = engine.endpoint.display
  offlineHost = `tcp://127.0.0.1:${await closedLoopbackPort()}`
  await engine.createContainer({
    name: writer,
    image: NODE_FIXTURE_IMAGE,
    env: {},
    cmd: ['node', '-e', WRITER],
    network: 'host',
    labels: TEST_LABELS
  })
  await engine.startContainer(writer)
  session = await openConsole({ workspaceYaml: workspaceYaml(), envText: seedEnvText(10) })
})

afterAll(async () => {
  await session?.close()
  if (engine !== undefined) {
    await removeContainers(engine, [writer])
    engine.close()
  }
})

const page = () => session.page
const status = () => page().getByTestId('logs-status').textContent()
const alert = () => page().locator('.logs-page [role="alert"]').textContent()

const terminalRows = () => page().locator('[data-testid="log-terminal"] .xterm-rows > div')

/** The terminal's visible rows as text, blank rows left out. */
async function rows(): Promise<string[]> {
  const texts = await terminalRows().allTextContents()
  return texts.map((text) => text.replaceAll('\u00a0', ' ').trimEnd()).filter((text) => text !== '')
}

/** The highest line number the terminal shows for `marker` lines, or 0. */
function lastNumber(texts: string[], marker: RegExp): number {
  return Math.max(0, ...texts.map((text) => Number(marker.exec(text)?.[1] ?? 0)))
}

/** axe over the page as it stands: nothing serious or critical, nothing at all aimed for; and a picture. */
async function checked(state: string): Promise<void> {
  const report = await checkAccessibility(page(), state)
  expect(report.serious, JSON.stringify(report.serious, null, 1)).toEqual([])
  expect(report.violations, JSON.stringify(report.violations, null, 1)).toEqual([])
  await session.screenshot(state)
}

/** How many lines the paused page says are waiting. */
async function waiting(): Promise<number> {
  const match = /^Paused: ([\d,]+) lines waiting/.exec((await status()) ?? '')
  return match === null ? -1 : Number(match[1]!.replaceAll(',', ''))
}

/** Clicks the download button and reads the file the browser saved. */
async function downloadShown(): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page().waitForEvent('download', { timeout: WAIT.timeout }),
    page().getByTestId('logs-download').click()
  ])
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') }
}

/** Sockets main holds open to the test engine: one per log stream in flight. */
function engineConnections(): number {
  return session.context.services.docker.forEnvironment('local').openConnections()
}

/** The highest number the container itself has written so far, read from Docker directly. */
async function writtenSoFar(): Promise<number> {
  let last = 0
  for await (const batch of engine.logs(writer, { tail: 8 }))
    last = Math.max(
      last,
      lastNumber(
        batch.map((line) => line.text),
        /plain-out (\d+)/
      )
    )
  return last
}

describe('the logs page in Chromium over browser mode', () => {
  it('opens from the tabs with the environment’s service container filled in and 200 earlier lines', async () => {
    await page().getByRole('button', { name: 'Logs', exact: true }).click()
    await expect.poll(() => page().getByTestId('logs-container').inputValue(), WAIT).toBe(writer)
    expect(await page().getByTestId('logs-tail').inputValue()).toBe('200')
    expect(await page().getByTestId('logs-stop').isDisabled()).toBe(true)
    expect(await status()).toContain('press Follow')
  })

  it(
    'follows the container: stdout and stderr lines appear as they are written, ' + 'stderr red, timestamps dimmed',
    async () => {
      await page().getByTestId('logs-follow').click()
      await expect.poll(async () => (await rows()).join('\n'), WAIT).toMatch(/plain-err \d+/)
      const shown = await rows()
      expect(shown.some((text) => text.includes('plain-out '))).toBe(true)
      expect(shown.some((text) => text.includes('"event_type":"API_CALL"'))).toBe(true)
      expect(shown.some((text) => text.includes('"event_type":"ERROR"'))).toBe(true)
      expect(shown.every((text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /.test(text))).toBe(true)
      // The container's own escape sequences are shown, not obeyed.
      expect(shown.some((text) => /Z ␛\[2J␛\[31mescaped \d+$/.test(text))).toBe(true)

      // Lines keep arriving while the page follows.
      const seen = lastNumber(shown, /plain-out (\d+)/)
      await expect.poll(async () => lastNumber(await rows(), /plain-out (\d+)/), WAIT).toBeGreaterThan(seen + 3)
      expect(await status()).toMatch(new RegExp(`^Following ${writer} in local: \\d+ lines so far\\.$`))
      expect(engineConnections()).toBe(1)

      // One snapshot of the DOM: the terminal keeps redrawing while lines arrive.
      const colours = await terminalRows().evaluateAll((rowElements) => {
        const stderrRow = rowElements.find((row) => row.textContent?.includes('plain-err'))
        const stdoutRow = rowElements.find((row) => row.textContent?.includes('plain-out'))
        const red = stderrRow?.querySelector('.xterm-fg-1')
        return {
          stderrRed: red?.textContent ?? null,
          // The theme's red reaches the page only through the style sheets xterm writes at run time.
          stderrColour: red ? red.ownerDocument.defaultView?.getComputedStyle(red).color : null,
          stdoutRed: stdoutRow?.querySelector('.xterm-fg-1')?.textContent ?? null,
          escapedRed:
            rowElements.find((row) => row.textContent?.includes('escaped'))?.querySelector('.xterm-fg-1')
              ?.textContent ?? null,
          stdoutDim: stdoutRow?.querySelector('.xterm-dim')?.textContent ?? null
        }
      })
      expect(colours.stderrRed).toMatch(/^plain-err \d+$/)
      expect(colours.stderrColour).toBe('rgb(255, 123, 127)')
      expect(colours.stdoutRed).toBeNull()
      expect(colours.escapedRed).toBeNull()
      expect(colours.stdoutDim).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      await session.screenshot('logs-page')
    }
  )

  it(
    'pauses: lines keep arriving into a bounded buffer, the page says how many wait, ' +
      'and Resume shows them in order',
    async () => {
      await page().getByTestId('logs-pause').click()
      await expect.poll(waiting, WAIT).toBeGreaterThanOrEqual(0)
      const frozen = await rows()
      // The stream goes on: the waiting count grows while the terminal stays as it was.
      await expect.poll(waiting, WAIT).toBeGreaterThan(25)
      expect(await rows()).toEqual(frozen)
      expect(await status()).toMatch(/^Paused: \d+ lines waiting \(still arriving\)\. Resume shows them\.$/)
      expect(await page().getByTestId('logs-pause').textContent()).toMatch(/^Resume \(\d+ waiting\)$/)
      expect(engineConnections()).toBe(1)
      await checked('logs-paused')

      const lastFrozen = lastNumber(frozen, /plain-out (\d+)/)
      await page().getByTestId('logs-pause').click()
      await expect.poll(async () => lastNumber(await rows(), /plain-out (\d+)/), WAIT).toBeGreaterThan(lastFrozen + 5)
      expect(await status()).toMatch(new RegExp(`^Following ${writer} in local: \\d+ lines so far\\.$`))

      // Nothing was lost across the pause: every number from the first shown to the last, in order.
      const shown = await downloadShown()
      expect(shown.name).toMatch(new RegExp(`^${writer}-.*\\.log$`))
      const numbers = [...shown.text.matchAll(/plain-out (\d+)$/gm)].map((match) => Number(match[1]))
      expect(numbers.length).toBeGreaterThan(lastFrozen - numbers[0]! + 5)
      expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index))
      expect(shown.text.split('\n')[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /)
    }
  )

  it('finds text in the log with the search addon: next and previous, and how many matches', async () => {
    await page().getByTestId('logs-pause').click()
    const count = page().getByTestId('logs-search-count')
    await page().getByTestId('logs-search').fill('plain-err')
    await expect.poll(() => count.textContent(), WAIT).toMatch(/^\d+ of \d+ matches$/)
    const [first, total] = /^(\d+) of (\d+)/
      .exec((await count.textContent())!)!
      .slice(1)
      .map(Number)
    expect(total).toBeGreaterThan(1)
    await page().getByTestId('logs-search-next').click()
    await expect.poll(() => count.textContent(), WAIT).toBe(`${(first! % total!) + 1} of ${total} matches`)
    await page().getByTestId('logs-search-previous').click()
    await expect.poll(() => count.textContent(), WAIT).toBe(`${first} of ${total} matches`)
    // The matches are highlighted in the terminal, the current one too.
    expect(await page().locator('[data-testid="log-terminal"] .xterm-decoration').count()).toBeGreaterThan(0)
    await checked('logs-search')

    await page().getByTestId('logs-search').fill('no such text anywhere')
    await expect.poll(() => count.textContent(), WAIT).toBe('No match')
    await page().getByTestId('logs-search').fill('')
    await expect.poll(() => count.textContent(), WAIT).toBe('')
  })

  it('reads JSON lines out in the readable mode: time, event type and message first, then the rest', async () => {
    await page().getByTestId('logs-json').click()
    expect(await page().getByTestId('logs-json').getAttribute('aria-pressed')).toBe('true')
    await expect
      .poll(async () => (await rows()).join('\n'), WAIT)
      .toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}Z API_CALL {7}200 \/api\/e2e {2}n=\d+$/m)
    const shown = await rows()
    expect(shown.some((text) => /^\d{2}:\d{2}:\d{2}\.\d{3}Z ERROR {10}error_type=E2E n=\d+$/.test(text))).toBe(true)
    expect(shown.some((text) => /^\d{2}:\d{2}:\d{2}\.\d{3}Z plain-out \d+$/.test(text))).toBe(true)
    // The event type is coloured by severity: an ERROR in red, an API call in cyan.
    const colours = await terminalRows().evaluateAll((rowElements) => ({
      error: rowElements.find((row) => row.textContent?.includes('ERROR'))?.querySelector('.xterm-fg-1')?.textContent,
      api: rowElements.find((row) => row.textContent?.includes('API_CALL'))?.querySelector('.xterm-fg-6')?.textContent
    }))
    expect(colours.error?.trim()).toBe('ERROR')
    expect(colours.api?.trim()).toBe('API_CALL')
    await checked('logs-json')

    const file = await downloadShown()
    expect(file.name).toMatch(/-readable\.log$/)
    expect(file.text).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}Z ERROR {10}error_type=E2E n=\d+$/m)

    await page().getByTestId('logs-json').click()
    await expect.poll(async () => (await rows()).join('\n'), WAIT).toMatch(/"event_type":"API_CALL"/)
    await page().getByTestId('logs-pause').click()
    await expect.poll(status, WAIT).toMatch(/^Following /)
  })

  it('stops on Stop: main closes the Docker stream and no further lines reach the terminal', async () => {
    await page().getByTestId('logs-stop').click()
    await waitFor('main to close the log stream', async () => (engineConnections() === 0 ? true : undefined))
    expect(await status()).toMatch(new RegExp(`^Stopped following ${writer}; \\d+ lines shown\\.$`))
    const frozen = await rows()
    const lastShown = lastNumber(frozen, /plain-out (\d+)/)
    await waitFor('the container to write more lines', async () =>
      (await writtenSoFar()) > lastShown + 5 ? true : undefined
    )
    expect(await rows()).toEqual(frozen)
    expect(await page().getByTestId('logs-stop').isDisabled()).toBe(true)
  })

  it('shows only ERROR events with the event-type filter ERROR', async () => {
    await page().getByTestId('logs-event-type').fill('ERROR')
    await page().getByTestId('logs-follow').click()
    await expect.poll(async () => (await rows()).length, WAIT).toBeGreaterThan(5)
    const shown = await rows()
    expect(shown.every((text) => text.includes('"event_type":"ERROR"'))).toBe(true)
    await session.screenshot('logs-page-errors')
  })

  it(
    'shows only lines containing the text filter, ' + 'and says in words that a /regex/ is for the command line',
    async () => {
      await page().getByTestId('logs-event-type').fill('')
      await page().getByTestId('logs-grep').fill('plain-out')
      await page().getByTestId('logs-follow').click()
      await expect.poll(async () => (await rows()).length, WAIT).toBeGreaterThan(5)
      expect((await rows()).every((text) => /plain-out \d+$/.test(text))).toBe(true)

      await page().getByTestId('logs-grep').fill('/plain-.*/')
      await page().getByTestId('logs-follow').click()
      await expect.poll(alert, WAIT).toContain('regular expressions are accepted only on the command line')
      await waitFor('main to close the previous log stream', async () => (engineConnections() === 0 ? true : undefined))
      await page().getByTestId('logs-grep').fill('')
    }
  )

  it('says in words that a container does not exist', async () => {
    await page().getByTestId('logs-container').selectOption({ label: 'Another container (type its name)' })
    await page().getByTestId('logs-container-other').fill(missing)
    await page().getByTestId('logs-follow').click()
    await expect
      .poll(alert, WAIT)
      .toBe(
        `Could not follow the logs of ${missing}: ` +
          `No container named "${missing}" on the Docker engine at ${engineHost} (bad_input)`
      )
    expect(await page().getByTestId('logs-stop').isDisabled()).toBe(true)
    await session.screenshot('logs-page-missing-container')
  })

  it('says in words that the engine is unreachable', async () => {
    await page().getByLabel('Environment').selectOption('offline')
    expect(await page().getByTestId('logs-container').inputValue()).toBe(writer)
    await page().getByTestId('logs-follow').click()
    await expect.poll(alert, WAIT).toContain(`Docker engine at ${offlineHost} is not reachable`)
    expect(await alert()).toContain('(unreachable)')
  })

  it('stops following when the operator leaves the page', async () => {
    await page().getByLabel('Environment').selectOption('local')
    await expect.poll(() => page().getByTestId('logs-container').inputValue(), WAIT).toBe(writer)
    await page().getByTestId('logs-follow').click()
    await expect.poll(async () => (await rows()).join('\n'), WAIT).toMatch(/plain-out \d+/)
    expect(engineConnections()).toBe(1)
    await page().getByRole('button', { name: 'Flags', exact: true }).click()
    await waitFor('main to close the log stream', async () => (engineConnections() === 0 ? true : undefined))
  })

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
