/**
 * The Prometheus of the test environment (scripts/test-env/prometheus.sh): its URL, and targets a
 * test adds for its own demo service (a file in the discovery folder, removed by the test), with
 * a wait until Prometheus has scraped the target. Nothing but 127.0.0.1.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const ENV_FILE = `${process.env.RAMPART_TEST_ENV_DIR ?? '/tmp/rampart-test-env'}/prometheus.env`
const START_HINT = 'start the test environment: bash scripts/test-env/up.sh (it starts prometheus.sh)'

export interface TestPrometheus {
  url: string
  targetsDir: string
  scrapeMs: number
  version: string
}

export function testPrometheus(): TestPrometheus {
  if (!existsSync(ENV_FILE)) throw new Error(`no ${ENV_FILE}: Prometheus is not running — ${START_HINT}`)
  const values = Object.fromEntries(
    readFileSync(ENV_FILE, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
  const url = values.RAMPART_TEST_PROMETHEUS_URL
  const targetsDir = values.RAMPART_TEST_PROMETHEUS_TARGETS_DIR
  if (url === undefined || targetsDir === undefined) throw new Error(`${ENV_FILE} is incomplete — ${START_HINT}`)
  return {
    url,
    targetsDir,
    scrapeMs: Number(values.RAMPART_TEST_PROMETHEUS_SCRAPE_MS ?? '500'),
    version: values.RAMPART_TEST_PROMETHEUS_VERSION ?? 'unknown'
  }
}

export interface ScrapedTarget {
  /** Stops the scraping (the discovery file is removed). */
  remove(): void
}

/** Makes Prometheus scrape 127.0.0.1:`port` and waits until a scrape of it succeeded. */
export async function scrapeTarget(
  prometheus: TestPrometheus,
  port: number,
  timeoutMs = 20_000
): Promise<ScrapedTarget> {
  const id = randomBytes(6).toString('hex')
  const file = path.join(prometheus.targetsDir, `rampart-test-${id}.json`)
  // Written beside and renamed, so discovery never reads half a file (*.json only).
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { rampart_test: id } }]))
  renameSync(`${file}.tmp`, file)
  const remove = (): void => rmSync(file, { force: true })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = (await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json()) as {
      data: { activeTargets: Array<{ labels: Record<string, string>; health: string }> }
    }
    const target = answer.data.activeTargets.find((entry) => entry.labels.rampart_test === id)
    if (target?.health === 'up') return { remove }
    if (Date.now() > deadline) {
      remove()
      throw new Error(`Prometheus at ${prometheus.url} did not scrape 127.0.0.1:${port} within ${timeoutMs / 1000} s`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
