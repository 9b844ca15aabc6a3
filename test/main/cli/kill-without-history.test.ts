/**
 * The emergency kill is never blocked by the history file: with a history from a newer Rampart,
 * or one another process holds locked, `rampart rollout kill` and `rampart rollback` still write
 * the flag, restart and verify, say that the kill is not recorded, and journal it beside the
 * history file; the next Rampart able to write the history appends it to the chain.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HISTORY_SCHEMA_VERSION } from '@main/history/history-schema'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import { seedEnvText } from '@test/fixtures/service-workspace'
import { startDemoService, type DemoServiceProcess } from '@test/support/demo-service-process'

const FLAG = 'unified_llm_hub'
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

let dir: string
let home: string
let historyFile: string
let journal: string
let lockHolder: ChildProcess | null = null

beforeAll(() => {
  requireBuiltCli()
})

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-kill-no-history-'))
  home = path.join(dir, 'home')
  mkdirSync(home)
  historyFile = path.join(home, 'history.db')
  journal = `${historyFile}.pending-kills.jsonl`
  writeFileSync(path.join(dir, '.env'), seedEnvText(25))
})

afterEach(() => {
  lockHolder?.kill('SIGKILL')
  lockHolder = null
  rmSync(dir, { recursive: true, force: true })
})

function rampart(...args: string[]): CliRun {
  return runRampart(args, { cwd: dir, env: { RAMPART_HOME: home, RAMPART_ACTOR: 'on-call' } })
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function setUserVersion(version: number): void {
  const db = new Database(historyFile)
  try {
    db.pragma(`user_version = ${version}`)
  } finally {
    db.close()
  }
}

/** A history written by a newer Rampart: this one refuses to open it and must leave it as it is. */
function historyFromNewerRampart(): string {
  expect(rampart('rollout', 'status', '--flag', FLAG).status).toBe(0)
  setUserVersion(HISTORY_SCHEMA_VERSION + 1)
  return sha256(historyFile)
}

/** Another process holding a write transaction on the history file, until the test ends. */
async function lockHistory(): Promise<void> {
  const script = [
    "const Database = require('better-sqlite3')",
    `const db = new Database(${JSON.stringify(historyFile)})`,
    "db.exec('BEGIN IMMEDIATE')",
    "db.prepare('UPDATE chain_head SET seq = seq WHERE id = 1').run()",
    "process.stdout.write('locked\\n')",
    'setInterval(() => {}, 1000)'
  ].join(';')
  lockHolder = spawn(process.execPath, ['-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: lockHolder!.stdout! }).once('line', () => resolve())
    lockHolder!.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)))
  })
}

function journaled(): Array<{ id: string; why: string; event: Record<string, unknown> }> {
  return jsonLines(readFileSync(journal, 'utf8')) as Array<{ id: string; why: string; event: Record<string, unknown> }>
}

function expectNotRecorded(run: CliRun): void {
  expect(run.stderr).toContain('NOT RECORDED in the history')
  expect(run.stderr).toContain(journal)
  expect(run.stderr).not.toMatch(/\n {4}at /)
}

describe('rampart rollout kill without the history file', () => {
  it('goes through past a history file from a newer Rampart, leaves that file as it was, and journals the kill', () => {
    const before = historyFromNewerRampart()

    const run = rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident 5102', '--no-restart')
    expect(run.status, run.stderr).toBe(0)
    expectNotRecorded(run)
    expect(run.stderr).toContain('schema version')
    expect(run.stdout).toContain(`${FLAG}: enabled -> disabled  (NOT RECORDED in the history: journaled)`)
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    expect(sha256(historyFile)).toBe(before)
    expect(journaled()).toEqual([
      expect.objectContaining({
        why: expect.stringContaining('schema version'),
        event: expect.objectContaining({
          kind: 'kill',
          actor: 'on-call',
          reason: 'incident 5102',
          outcome: 'applied',
          fromState: expect.objectContaining({ enabled: true, rollout_percentage: 25 }),
          toState: expect.objectContaining({ enabled: false })
        })
      })
    ])
  })

  it('is appended once by the next Rampart that can write the history, naming that it was journaled', () => {
    historyFromNewerRampart()
    expect(rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident 5103', '--no-restart').status).toBe(0)
    const [entry] = journaled()
    // This Rampart is upgraded (or the newer file is dealt with): the history can be written again.
    setUserVersion(HISTORY_SCHEMA_VERSION)

    const listed = rampart('history', 'list', '--json')
    expect(listed.status).toBe(0)
    expect(listed.stderr).toMatch(/1 kill event\(s\) journaled while the history could not be written were added/)
    const kills = (jsonLines(listed.stdout) as Array<{ kind: string; reason: string; detail: unknown }>).filter(
      (event) => event.kind === 'kill'
    )
    expect(kills).toEqual([
      expect.objectContaining({
        reason: 'incident 5103',
        detail: expect.objectContaining({
          journaled: expect.objectContaining({ id: entry!.id, why: expect.stringContaining('schema version') })
        })
      })
    ])
    expect(existsSync(journal)).toBe(false)
    expect(readdirSync(home).some((name) => name.startsWith('history.db.pending-kills.jsonl.appended-'))).toBe(true)
    const again = rampart('history', 'list', '--json')
    expect(again.stderr).toBe('')
    expect(jsonLines(again.stdout)).toHaveLength(jsonLines(listed.stdout).length)
    expect(rampart('history', 'verify').status).toBe(0)
  })

  it('goes through while another process holds the history file locked, journaling the kill once', async () => {
    expect(rampart('rollout', 'status', '--flag', FLAG).status).toBe(0)
    await lockHistory()

    const run = rampart('rollout', 'kill', '--flag', FLAG, '--reason', 'incident 5104', '--no-restart', '--json')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('NOT RECORDED in the history')
    expect(jsonLines(run.stdout)).toEqual([
      expect.objectContaining({ recorded: false, event: null, state: expect.objectContaining({ enabled: false }) })
    ])
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    expect(journaled()).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({
          kind: 'kill',
          outcome: 'applied',
          fromState: expect.objectContaining({ enabled: true, rollout_percentage: 25 })
        })
      })
    ])

    lockHolder!.kill('SIGKILL')
    lockHolder = null
    const events = jsonLines(rampart('history', 'list', '--json').stdout) as Array<{ kind: string; detail: unknown }>
    expect(events.filter((event) => event.kind === 'kill')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ journaled: expect.anything() }) })
    ])
  })
})

describe('rampart rollback (the emergency runbook) without the history file', () => {
  let demo: DemoServiceProcess

  beforeEach(async () => {
    demo = await startDemoService(
      ['FEATURE_UNIFIED_LLM_HUB=true', 'FEATURE_LLM_HUB_ROLLOUT=25', 'FEATURE_LLM_HUB_WHITELIST=', ''].join('\n'),
      { DEMO_RPS: '0' }
    )
    writeFileSync(
      path.join(dir, 'rampart.config.yaml'),
      [
        'default_environment: api',
        'environments:',
        '  api:',
        `    service: { container: ops-center-demo, health_url: "${demo.baseUrl}/health", ` +
          `verify_urls: ["${demo.baseUrl}/health"] }`,
        `    flag_source: { kind: http, base_url: "${demo.baseUrl}" }`,
        `    flags: [${FLAG}]`,
        ''
      ].join('\n')
    )
  })

  afterEach(async () => {
    await demo.stop()
  })

  async function demoFlagEnabled(): Promise<unknown> {
    const response = await fetch(`${demo.baseUrl}/api/v1/features/${FLAG}`)
    return ((await response.json()) as { config: { enabled: unknown } }).config.enabled
  }

  it('falls back to the plain kill path (write, verify) past a history file from a newer Rampart', async () => {
    const before = historyFromNewerRampart()
    const run = rampart('rollback', '--flag', FLAG, '--reason', 'error rate 12 %')
    expect(run.status, run.stderr).toBe(0)
    expectNotRecorded(run)
    expect(run.stdout).toMatch(new RegExp(`^SAFE: ${FLAG} is disabled in api .*${demo.baseUrl}/health 200`))
    expect(run.stdout).toContain('NOT RECORDED in the history (journaled)')
    expect(await demoFlagEnabled()).toBe(false)
    expect(sha256(historyFile)).toBe(before)
    expect(journaled()).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ kind: 'kill', reason: 'error rate 12 %' }) })
    ])
  })

  it('falls back to the plain kill path when the run cannot be recorded (the history is locked)', async () => {
    expect(rampart('rollout', 'status', '--flag', FLAG).status).toBe(0)
    await lockHistory()
    const run = rampart('rollback', '--flag', FLAG, '--reason', 'error rate 14 %', '--json')
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('NOT RECORDED in the history')
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({
      event: 'result',
      result: { recorded: false, flag: FLAG, alreadyDisabled: false, verifiedUrls: [`${demo.baseUrl}/health 200`] }
    })
    expect(await demoFlagEnabled()).toBe(false)
    expect(journaled()).toHaveLength(1)
  })
})
