/**
 * Electronegativity (Doyensec's static scan for Electron misconfigurations), run in-process and
 * offline: its two network calls (fresh translations, and Electron's release list for
 * AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) are cut, so the scan is the same on every machine and
 * tests talk only to loopback. Advisories against the Electron version are `npm audit`'s job.
 * knip.json lists the package as used: it is loaded through createRequire, after `got` is replaced.
 */
import { createRequire } from 'node:module'
import path from 'node:path'

const requireFromScanner = createRequire(
  createRequire(import.meta.url).resolve('@doyensec/electronegativity/package.json')
)

/** AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, by its class name: it needs Electron's release list from the network. */
const NETWORK_CHECKS = ['AvailableSecurityFixesGlobalCheck']

export interface ScanFinding {
  check: string
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'
  confidence: string
  /** Relative to `root`, with forward slashes. */
  file: string
  line: number
  description: string
}

interface RawIssue {
  id: string
  severity: { name: ScanFinding['severity'] }
  confidence: { name: string }
  file: string
  location: { line: number }
  description: string
}

type Scanner = (options: Record<string, unknown>) => Promise<{ issues: RawIssue[]; errors: unknown[] }>

let scanner: Scanner | null = null

function loadScanner(): Scanner {
  if (scanner !== null) return scanner
  // `got` answers every request with a failure, before the scanner's modules can take the real one.
  const gotPath = requireFromScanner.resolve('got')
  const offline = Object.assign(() => Promise.reject(new Error('the scan runs offline')), { __esModule: false })
  requireFromScanner.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: offline
  } as unknown as NodeJS.Module
  const loaded = requireFromScanner('@doyensec/electronegativity') as Scanner | { default: Scanner }
  scanner = typeof loaded === 'function' ? loaded : loaded.default
  return scanner
}

/** Scans `inputs` (folders or files, relative to `root`) and returns every finding. */
export async function scanElectron(
  root: string,
  inputs: readonly string[],
  electronVersion: string
): Promise<ScanFinding[]> {
  const run = loadScanner()
  const findings: ScanFinding[] = []
  // The scanner reports its progress through console.log; a test log needs none of it.
  const log = console.log
  console.log = () => undefined
  try {
    for (const input of inputs) {
      const result = await run({
        input: path.join(root, input),
        excludeFromScan: NETWORK_CHECKS,
        electronVersionOverride: electronVersion,
        isRelative: false
      })
      for (const issue of result.issues) {
        findings.push({
          check: issue.id,
          severity: issue.severity.name,
          confidence: issue.confidence.name,
          // Global checks (a missing CSP, missing navigation limits) name no file: 'N/A'.
          file: issue.file === 'N/A' ? 'N/A' : path.relative(root, issue.file).split(path.sep).join('/'),
          line: issue.location.line,
          description: issue.description
        })
      }
    }
  } finally {
    console.log = log
  }
  return findings
}

export interface AcceptedFinding {
  check: string
  file: string
  reason: string
}

/** HIGH findings that no accepted entry (same check and file, with a written reason) covers. */
export function unexplainedHighFindings(
  findings: readonly ScanFinding[],
  accepted: readonly AcceptedFinding[]
): ScanFinding[] {
  return findings.filter(
    (finding) =>
      finding.severity === 'HIGH' &&
      !accepted.some(
        (entry) => entry.check === finding.check && entry.file === finding.file && entry.reason.trim().length >= 20
      )
  )
}
