/**
 * `npm audit --omit=dev` in CI: a high or critical advisory fails, a clean report passes, and a
 * registry whose audit service does not answer gives "ADVISORIES NOT CHECKED", never a pass.
 * The reports are npm's own shapes; a stand-in `npm` on PATH plays the registry's answers.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))

type Verdict = { outcome: 'passed' | 'failed' | 'not-checked'; message: string }
const auditModule = path.join(PROJECT_ROOT, 'scripts', 'audit-advisories.mjs')
const { auditVerdict } = (await import(pathToFileURL(auditModule).href)) as {
  auditVerdict(stdout: string, failure?: string | null): Verdict
}

/** What npm prints when the audit endpoint refuses the bulk request. */
const ENDPOINT_REFUSED = JSON.stringify({
  message: '405 Method Not Allowed - POST (audit endpoint)',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' }
})
const OFFLINE = JSON.stringify({
  error: { code: 'ENOTFOUND', summary: 'request to the registry failed, reason: getaddrinfo ENOTFOUND', detail: '' }
})

function report(counts: Record<string, number>, vulnerabilities: Record<string, { severity: string }> = {}): string {
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts },
      dependencies: { prod: 57, dev: 400, total: 457 }
    }
  })
}

describe('auditVerdict', () => {
  it('does not pass when the audit endpoint refuses the request', () => {
    const verdict = auditVerdict(ENDPOINT_REFUSED)
    expect(verdict.outcome).toBe('not-checked')
    expect(verdict.message).toMatch(/^ADVISORIES NOT CHECKED: .*405.*; this is not a pass$/)
  })

  it('does not pass when the registry cannot be reached', () => {
    expect(auditVerdict(OFFLINE)).toMatchObject({
      outcome: 'not-checked',
      message: expect.stringContaining('ENOTFOUND')
    })
  })

  it('does not pass when npm printed nothing usable, naming why', () => {
    expect(auditVerdict('', 'spawnSync npm ETIMEDOUT')).toMatchObject({
      outcome: 'not-checked',
      message: expect.stringContaining('ETIMEDOUT')
    })
  })

  it('fails on a high or a critical advisory, naming the packages', () => {
    const verdict = auditVerdict(
      report({ high: 1, critical: 1, total: 2 }, { ws: { severity: 'high' }, pg: { severity: 'critical' } })
    )
    expect(verdict).toEqual({
      outcome: 'failed',
      message: 'npm audit: 2 high or critical advisories in production dependencies: ws (high), pg (critical)'
    })
  })

  it('passes a report with only moderate and low advisories', () => {
    expect(auditVerdict(report({ moderate: 2, low: 1, total: 3 }, { yaml: { severity: 'moderate' } }))).toEqual({
      outcome: 'passed',
      message: 'npm audit: no high or critical advisory in 57 production dependencies'
    })
  })
})

describe('scripts/audit-advisories.mjs in CI', () => {
  let root: string
  let bin: string

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rampart-audit-'))
    cpSync(path.join(PROJECT_ROOT, 'scripts'), path.join(root, 'scripts'), { recursive: true })
    bin = path.join(root, 'bin')
    mkdirSync(bin)
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  function auditWith(npmOutput: string, npmStatus: number) {
    writeFileSync(path.join(root, 'npm-output.json'), npmOutput)
    writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\ncat "${path.join(root, 'npm-output.json')}"\nexit ${npmStatus}\n`)
    chmodSync(path.join(bin, 'npm'), 0o755)
    return spawnSync(process.execPath, [path.join(root, 'scripts', 'audit-advisories.mjs')], {
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      encoding: 'utf8',
      timeout: 60_000
    })
  }

  it('prints ADVISORIES NOT CHECKED and goes on when the audit service does not answer', () => {
    const run = auditWith(ENDPOINT_REFUSED, 1)
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('== ADVISORIES NOT CHECKED')
    expect(run.stdout).not.toMatch(/no high or critical/)
  })

  it('exits 1 on a high advisory', () => {
    const run = auditWith(report({ high: 1, total: 1 }, { ws: { severity: 'high' } }), 1)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('ws (high)')
  })
})
