#!/usr/bin/env node
// `npm audit --omit=dev`: fails on a high or critical advisory in a production dependency. Where
// the registry's audit service does not answer (no network, a mirror without the endpoint), it
// says in so many words that advisories were NOT checked: that is never reported as a pass.
//
// Usage: node scripts/audit-advisories.mjs
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const AUDIT_TIMEOUT_MS = 120_000

/**
 * What an `npm audit --json` run means: `passed`, `failed` (high or critical advisories, listed),
 * or `not-checked` (the audit service gave no report).
 */
export function auditVerdict(stdout, failure = null) {
  let report
  try {
    report = JSON.parse(stdout)
  } catch {
    const why = failure ?? 'its output is not JSON'
    return {
      outcome: 'not-checked',
      message: `ADVISORIES NOT CHECKED: npm audit gave no report (${why}); this is not a pass`
    }
  }
  const counts = report?.metadata?.vulnerabilities
  if (report === null || typeof report !== 'object' || report.error !== undefined || typeof counts !== 'object') {
    const why = report?.message ?? report?.error?.summary ?? failure ?? 'no vulnerability counts in the report'
    return {
      outcome: 'not-checked',
      message: `ADVISORIES NOT CHECKED: the registry's audit service did not answer (${why}); this is not a pass`
    }
  }
  const serious = Object.entries(report.vulnerabilities ?? {})
    .filter(([, entry]) => entry.severity === 'high' || entry.severity === 'critical')
    .map(([name, entry]) => `${name} (${entry.severity})`)
  const blocking = (counts.high ?? 0) + (counts.critical ?? 0)
  if (blocking > 0 || serious.length > 0) {
    return {
      outcome: 'failed',
      message: `npm audit: ${blocking} high or critical advisories in production dependencies: ${serious.join(', ')}`
    }
  }
  const production = report.metadata.dependencies?.prod ?? 'the'
  return {
    outcome: 'passed',
    message: `npm audit: no high or critical advisory in ${production} production dependencies`
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: AUDIT_TIMEOUT_MS
  })
  const failure = run.error?.message ?? (run.signal !== null ? `stopped by ${run.signal}` : null)
  const verdict = auditVerdict(run.stdout ?? '', failure)
  const line = `== ${verdict.message}`
  if (verdict.outcome === 'failed') {
    process.stderr.write(`${line}\n`)
    process.exit(1)
  }
  process.stdout.write(`${line}\n`)
}
