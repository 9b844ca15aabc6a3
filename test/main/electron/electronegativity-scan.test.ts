/**
 * The Electron static scan in the suite (`npm test`): Electronegativity over the Electron
 * sources and the built app. A HIGH finding fails the suite unless security/electronegativity-accepted.json
 * gives it a written reason; every entry there must still match a finding, so the file never
 * explains away something that is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  scanElectron,
  unexplainedHighFindings,
  type AcceptedFinding,
  type ScanFinding
} from '@test/support/electronegativity-scan'

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const ACCEPTED_FILE = path.join(PROJECT_ROOT, 'security', 'electronegativity-accepted.json')
const ELECTRON_VERSION = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string
  }
).version
// Sources, and what the app runs (npm test builds first).
const INPUTS = ['src', 'out']

let findings: ScanFinding[]
let accepted: AcceptedFinding[]

beforeAll(async () => {
  for (const input of INPUTS) {
    if (!existsSync(path.join(PROJECT_ROOT, input)))
      throw new Error(
        `${input} is missing: the scan covers the built app; run "npx electron-vite build" (npm test builds first)`
      )
  }
  accepted = (JSON.parse(readFileSync(ACCEPTED_FILE, 'utf8')) as { findings: AcceptedFinding[] }).findings
  findings = await scanElectron(PROJECT_ROOT, INPUTS, ELECTRON_VERSION)
}, 120_000)

function describeFindings(list: readonly ScanFinding[]): string {
  return list
    .map(
      (finding) => `${finding.check} (${finding.severity}) in ${finding.file}:${finding.line}: ${finding.description}`
    )
    .join('\n')
}

describe('Electronegativity over the Electron sources and the built app', () => {
  it('leaves no HIGH finding without a written reason in security/electronegativity-accepted.json', () => {
    const unexplained = unexplainedHighFindings(findings, accepted)
    expect(unexplained, describeFindings(unexplained)).toEqual([])
  })

  it('has a reason for every accepted finding, and each still matches a finding', () => {
    for (const entry of accepted) {
      expect(entry.reason.trim().length, `${entry.check} in ${entry.file}`).toBeGreaterThanOrEqual(20)
      const matched = findings.some((finding) => finding.check === entry.check && finding.file === entry.file)
      expect(
        matched,
        `${entry.check} in ${entry.file} is accepted but no longer found; remove it\n${describeFindings(findings)}`
      ).toBe(true)
    }
  })

  describe('on a window that turns the protections off', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'rampart-electronegativity-'))
      writeFileSync(
        path.join(dir, 'window.js'),
        "const { BrowserWindow } = require('electron')\n" +
          'new BrowserWindow({ webPreferences: {\n' +
          '  nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false\n' +
          '} })\n'
      )
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('finds HIGH findings, and fails them without a reason', async () => {
      const unsafe = await scanElectron(dir, ['window.js'], ELECTRON_VERSION)
      const high = unexplainedHighFindings(unsafe, [])
      expect(high.map((finding) => finding.check)).toEqual(
        expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK'])
      )
      expect(
        unexplainedHighFindings(
          unsafe,
          high.map((finding) => ({ check: finding.check, file: finding.file, reason: 'short' }))
        )
      ).toHaveLength(high.length)
    }, 60_000)
  })
})
