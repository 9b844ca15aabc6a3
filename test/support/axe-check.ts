/**
 * axe-core over the console as it stands, in the page under test. The page's Content-Security-Policy
 * (script-src 'self') refuses an inline <script>, so axe is served at a same-origin address that
 * only this page's route answers, and added with a script tag from there: the policy stays on.
 * Every run is appended to test-results/axe-results.jsonl (page or state, violations by impact).
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
const AXE_PATH = require.resolve('axe-core/axe.min.js')
const AXE_ROUTE = '/axe-core-for-tests.js'
const RESULTS_DIR = fileURLToPath(new URL('../../test-results', import.meta.url))

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  /** Where it is: the first few elements' selectors. */
  targets: string[]
}

export interface AxeReport {
  state: string
  violations: AxeViolation[]
  /** Serious and critical only: what the console must have none of. */
  serious: AxeViolation[]
}

const routed = new WeakSet<Page>()

/** Runs axe on the whole document (WCAG 2.x A and AA and best practices) and records the result. */
export async function checkAccessibility(page: Page, state: string): Promise<AxeReport> {
  if (!routed.has(page)) {
    const source = readFileSync(AXE_PATH, 'utf8')
    await page.route(`**${AXE_ROUTE}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: source })
    )
    routed.add(page)
  }
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ url: AXE_ROUTE })
  const violations = await page.evaluate(async () => {
    interface AxeResult {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>
    }
    // Runs in the page: its globals are the browser's, typed here by hand (this tsconfig has no DOM).
    const page = globalThis as unknown as {
      document: unknown
      axe: { run: (context: unknown, options: object) => Promise<AxeResult> }
    }
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] })
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.map(String).join(' '))
    }))
  })
  const report = {
    state,
    violations,
    serious: violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  appendFileSync(
    join(RESULTS_DIR, 'axe-results.jsonl'),
    `${JSON.stringify({ state, at: new Date().toISOString(), violations })}\n`
  )
  return report
}
