/**
 * The rollback runbooks end to end, as an operator runs them: the BUILT `rampart` executable
 * against the demo service in a container and a Postgres fixture container. An emergency
 * rollback, timed; a full rollback whose CLI process is SIGKILLed in the middle, listed as
 * interrupted, then completed by `rampart runbook resume`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '@main/history/history-store'
import { MIGRATION_LOCK_KEY } from '@main/database/migration-runner'
import { jsonLines, RAMPART_BIN, requireBuiltCli, runRampart, type CliRun } from '../fixtures/rampart-cli'
import { freePort, NODE_FIXTURE_IMAGE } from '../support/docker-test-env'
import { ANY_DURATION } from '../support/duration-text'
import { FIXTURE_PASSWORD, startPostgresFixture, type PostgresFixture } from '../support/postgres-fixture'
import {
  getJson,
  rollbackWorkspaceYaml,
  startServiceContainer,
  type ServiceContainer
} from '../support/service-container'
import { seedEnvText } from '@test/fixtures/service-workspace'

const docker = promisify(execFile)
const PASSWORD_VARIABLE = 'E2E_ROLLBACK_PG_PASSWORD'
const DATABASE = 'rollback_e2e'
const PREVIOUS_IMAGE = `rampart-test/ops-center:e2e-previous-${randomBytes(4).toString('hex')}`
const FLAG = 'unified_llm_hub'

type Line = {
  event?: string
  kind?: string
  step?: string
  message?: string | null
  status?: string
  result?: Record<string, unknown>
}

let postgres: PostgresFixture
let service: ServiceContainer
let dir: string

beforeAll(async () => {
  requireBuiltCli()
  postgres = await startPostgresFixture('rollback-e2e')
  service = await startServiceContainer(postgres.engine, 'rollback-e2e', { envText: seedEnvText(25) })
  await docker('docker', ['tag', NODE_FIXTURE_IMAGE, PREVIOUS_IMAGE])
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-rollback-e2e-'))
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    rollbackWorkspaceYaml(service, { fixture: postgres, database: DATABASE, passwordVariable: PASSWORD_VARIABLE })
  )
}, 180_000)

afterAll(async () => {
  if (service !== undefined) await service.remove()
  await docker('docker', ['rmi', PREVIOUS_IMAGE]).catch(() => undefined)
  await postgres?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function cliEnv(): Record<string, string> {
  const env: Record<string, string> = {
    RAMPART_HOME: path.join(dir, 'home'),
    RAMPART_ACTOR: 'on-call',
    [PASSWORD_VARIABLE]: FIXTURE_PASSWORD
  }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  return env
}

function rampart(args: string[]): CliRun {
  return runRampart(args, { cwd: dir, env: cliEnv() })
}

/** The CLI as a child process we can kill, with its stdout as parsed JSON lines as they come. */
function startRampart(args: string[]): {
  child: ChildProcess
  lines: Line[]
  stderr: () => string
  exited: Promise<number | null>
} {
  const child = spawn(process.execPath, [RAMPART_BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...cliEnv() },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: Line[] = []
  let rest = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n')
    rest = parts.pop() ?? ''
    for (const part of parts) lines.push(JSON.parse(part) as Line)
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, lines, stderr: () => stderr, exited }
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('rollback runbooks with the built CLI', () => {
  it('rampart rollback takes the flag to safety and reports the time from intent to verified safe', () => {
    const fileBefore = readFileSync(service.envFile, 'utf8')

    const run = rampart(['rollback', '--flag', FLAG, '--reason', 'error rate 12 % on the LLM hub', '--json'])

    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const lines = jsonLines(run.stdout) as Line[]
    expect(lines.filter((line) => line.kind === 'step_done').map((line) => line.step)).toEqual([
      `Disable ${FLAG} in ${service.envFile}`,
      `Restart container ${service.name}`,
      `Wait for health: ${service.healthUrl}`,
      'Check 1 verify URL',
      `Capture the last 50 log lines of ${service.name}`,
      'Record the time to safe'
    ])
    const result = lines.at(-1)!.result as { timeToSafeMs: number; intentAt: string; safeAt: string; runId: number }
    expect(lines.at(-1)!.event).toBe('result')
    expect(result.timeToSafeMs).toBe(Date.parse(result.safeAt) - Date.parse(result.intentAt))
    expect(readFileSync(service.envFile, 'utf8')).toBe(
      fileBefore.replace(`export FEATURE_UNIFIED_LLM_HUB=true\n`, 'export FEATURE_UNIFIED_LLM_HUB=false\n')
    )
    const history = jsonLines(rampart(['history', 'list', '--flag', FLAG, '--json']).stdout) as Array<{
      kind: string
      outcome: string
      detail: { timeToSafeMs?: number }
    }>
    expect(history.find((event) => event.outcome === 'verified_safe')?.detail.timeToSafeMs).toBe(result.timeToSafeMs)
  }, 120_000)

  it(
    'on a terminal-style run prints each step with ✓ and its duration, ' + 'then the SAFE line with the time to safe',
    () => {
      const run = rampart(['rollback', '--flag', FLAG, '--reason', 'again, text output'])

      expect(run.status).toBe(0)
      expect(run.stdout).toMatch(
        new RegExp(`✓ \\[1/6\\] Disable unified_llm_hub in .+ {2}${ANY_DURATION} — unified_llm_hub is disabled`)
      )
      expect(run.stdout).toMatch(new RegExp(`\\n {2}✓ \\[2/6\\] Restart container .+ {2}${ANY_DURATION} — restarted`))
      expect(run.stdout).toMatch(
        /\nSAFE: unified_llm_hub is disabled in demo, the service was restarted and verified .+ — time to safe \d+(\.\d)? m?s \(run #\d+\)\n$/
      )
    },
    120_000
  )

  it('Ctrl-C during the health wait stops at that safe point: recorded as cancelled, resumable, exit 1', async () => {
    // The same service, but a health URL where nothing listens: the wait would last its 30 s.
    const silentPort = await freePort()
    const yaml = readFileSync(path.join(dir, 'rampart.config.yaml'), 'utf8').replace(
      service.healthUrl,
      `http://127.0.0.1:${silentPort}/health`
    )
    writeFileSync(path.join(dir, 'silent-health.yaml'), yaml)
    const cli = startRampart([
      'rollback',
      '--workspace',
      'silent-health.yaml',
      '--flag',
      FLAG,
      '--reason',
      'cancel test',
      '--json'
    ])
    await until('the health wait to start', () =>
      cli.lines.find((line) => line.kind === 'step_started' && (line.step ?? '').startsWith('Wait for health'))
    )

    cli.child.kill('SIGINT')

    expect(await cli.exited).toBe(1)
    expect(cli.lines.find((line) => line.kind === 'step_cancelled')?.step).toBe(
      `Wait for health: http://127.0.0.1:${silentPort}/health`
    )
    const runId = (cli.lines.find((line) => line.kind === 'run_started') as { runId: number }).runId
    expect(cli.stderr()).toContain(`rampart runbook resume ${runId}`)
    const cancelled = jsonLines(rampart(['runbook', 'list', '--status', 'cancelled', '--json']).stdout) as Array<{
      id: number
      steps: Array<{ status: string }>
    }>
    expect(cancelled.find((run) => run.id === runId)?.steps.map((step) => step.status)).toEqual([
      'done',
      'done',
      'cancelled',
      'pending',
      'pending',
      'pending'
    ])
  }, 120_000)

  it(
    'a full rollback killed with SIGKILL mid-way is listed ' + 'as interrupted and `runbook resume` completes it',
    async () => {
      writeFileSync(service.envFile, seedEnvText(50))
      expect(rampart(['db', 'setup', '--json']).status).toBe(0)

      // Holding the migration lock parks the rollback step at a known point: waiting for it.
      const holder = await postgres.targetFor(DATABASE).connect({ applicationName: 'e2e lock holder' })
      expect(await holder.tryAdvisoryLock(MIGRATION_LOCK_KEY)).toBe(true)
      const cli = startRampart([
        'rollback',
        '--full',
        '--to',
        '1',
        '--image',
        PREVIOUS_IMAGE,
        '--flag',
        FLAG,
        '--reason',
        'schema 002 corrupts keys',
        '--confirm',
        '--json'
      ])
      try {
        await until('the rollback step to wait for the migration lock', () =>
          cli.lines.find(
            (line) => line.kind === 'step_progress' && (line.message ?? '').includes('waiting for the migration lock')
          )
        )
        cli.child.kill('SIGKILL')
        expect(await cli.exited).toBeNull()
      } finally {
        await holder.advisoryUnlock(MIGRATION_LOCK_KEY)
        await holder.close()
      }
      const runId = (
        cli.lines.find(
          (line) => line.kind === 'run_started' && (line as { runbook?: string }).runbook === 'full-rollback'
        ) as { runId: number }
      ).runId

      const listed = rampart(['runbook', 'list', '--interrupted', '--json'])
      expect(listed.status).toBe(0)
      const interrupted = jsonLines(listed.stdout) as Array<{
        id: number
        runbook: string
        resumable: boolean
        interruption: string
        steps: Array<{ name: string; status: string }>
      }>
      expect(interrupted.map((run) => [run.id, run.runbook, run.resumable])).toEqual([[runId, 'full-rollback', true]])
      expect(interrupted[0]!.interruption).toMatch(/^pid \d+ on .+ is gone$/)
      expect(interrupted[0]!.steps.map((step) => step.status)).toEqual([
        'done',
        'done',
        'running',
        'pending',
        'pending',
        'pending'
      ])

      const resumed = rampart(['runbook', 'resume', String(runId), '--json'])

      expect(resumed.stderr).toBe('')
      expect(resumed.status).toBe(0)
      const view = (jsonLines(resumed.stdout) as Line[]).at(-1)!.result as {
        status: string
        steps: Array<{ name: string; status: string; attempts: number }>
      }
      expect(view.status).toBe('succeeded')
      expect(view.steps.map((step) => [step.status, step.attempts])).toEqual([
        ['done', 1],
        ['done', 1],
        ['done', 2],
        ['done', 1],
        ['done', 1],
        ['done', 1]
      ])
      // The database: ledger and catalog at version 1.
      const status = (jsonLines(rampart(['db', 'status', '--json']).stdout)[0] as Line).result as {
        currentVersion: number
      }
      expect(status.currentVersion).toBe(1)
      expect(
        await postgres.targetFor(DATABASE).query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'llm_%'`)
      ).toEqual([])
      // The flag and the service: disabled in the file, the service on the previous image, serving it disabled.
      expect(readFileSync(service.envFile, 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
      const container = (await postgres.engine.inspectContainer(service.name))!
      expect([container.image, container.state]).toEqual([PREVIOUS_IMAGE, 'running'])
      expect(await getJson(`${service.baseUrl}/api/v1/features/${FLAG}`)).toMatchObject({ enabled: false })
      // History: the interrupted step re-run on record, the first attempt's nested rollback closed, the chain intact.
      const history = HistoryStore.open(path.join(dir, 'home', 'history.db'))
      try {
        const resumedEvent = history.events
          .listEvents({ kinds: ['runbook'] })
          .find((event) => event.outcome === 'resumed')
        expect(resumedEvent?.detail).toMatchObject({
          runId,
          rerunStep: `Back up and roll back database ${DATABASE} to version 1`,
          previousStatus: 'running'
        })
        const nested = history.runbooks.list().filter((run) => run.parent?.runId === runId)
        expect(nested.map((run) => [run.runbook, run.status])).toEqual([
          ['db-rollback', 'succeeded'],
          ['db-rollback', 'cancelled']
        ])
        // The killed attempt's database operation is closed as interrupted at the next start; none stays open.
        expect(history.operations.listDbOperations({ kind: 'rollback' }).map((operation) => operation.status)).toEqual([
          'succeeded',
          'interrupted'
        ])
        expect(history.operations.listDbOperations({ status: 'running' })).toEqual([])
        expect(history.events.verify().ok).toBe(true)
      } finally {
        history.close()
      }
      expect(jsonLines(rampart(['runbook', 'list', '--interrupted', '--json']).stdout)).toEqual([])
    },
    240_000
  )
})
