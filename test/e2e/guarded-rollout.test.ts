/**
 * Guarded rollouts end to end on the real demo stack (`rampart demo up`: Postgres and the demo
 * ops-center service in containers on host networking, listening on 127.0.0.1, labelled
 * rampart.test=1, removed afterwards), driven through the BUILT `rampart` executable as
 * operators would: short guard windows (2 s, decided 1 s after they end) and brisk traffic, so
 * every phase has data within seconds. Each test keeps its own history file; the env file and
 * the containers are shared, and each test starts by setting the rollout by hand and restarting
 * the service (which also clears injected faults).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { GuardWindowRecord, HistoryEvent } from '@shared/history-types'
import type { AppliedMoveResult, RolloutWatchNotice } from '@shared/rollout-watch-types'
import type { RolloutStatusView } from '@shared/views'
import { RAMPART_BIN, requireBuiltCli, runRampartAsync, type CliRun } from '../fixtures/rampart-cli'
import { demoCliEnv, injectDemoFaults, servedPercentage, waitUntilDemoServing } from '../support/demo-stack-client'
import {
  DEMO_BREACH_WINDOWS,
  demoTestBudget as budget,
  DEMO_ENVIRONMENT,
  DEMO_FLAG,
  DEMO_WINDOW_SECONDS,
  demoEnvText,
  demoWorkspaceYaml
} from '../support/demo-stack-workspace'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  uniqueContainerName,
  waitFor
} from '../support/docker-test-env'

const FLAG = DEMO_FLAG
const ENVIRONMENT = DEMO_ENVIRONMENT
const WINDOW_SECONDS = DEMO_WINDOW_SECONDS
const WINDOW_MS = WINDOW_SECONDS * 1000
const BREACH_WINDOWS = DEMO_BREACH_WINDOWS
// Ten whitelisted testers among 40 simulated users: even at 0 % a fifth of the traffic is treatment.
const PHASE_TIMEOUT_MS = 30_000

let engine: DockerEngine
let dir: string
let envFile: string
let port: number
let baseUrl: string
const names = { service: uniqueContainerName('rollout-svc'), postgres: uniqueContainerName('rollout-pg') }
const contexts: AppContext[] = []
const watches: WatchProcess[] = []

/** The built CLI, asynchronously: the event loop (and any watch in this process) keeps running. */
function runCli(args: string[], home: string, actor = 'alice'): Promise<CliRun> {
  return runRampartAsync(args, { cwd: dir, env: demoCliEnv(home, actor), timeoutMs: 90_000 })
}

/** `rampart rollout watch --json` running in its own process, its notices collected as they come. */
class WatchProcess {
  readonly notices: RolloutWatchNotice[] = []
  private stderrText = ''
  private readonly child: ChildProcess
  private readonly exited: Promise<number | null>

  constructor(home: string, actor: string) {
    this.child = spawn(process.execPath, [RAMPART_BIN, 'rollout', 'watch', '--flag', FLAG, '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...demoCliEnv(home, actor) }
    })
    createInterface({ input: this.child.stdout! }).on('line', (line) =>
      this.notices.push(JSON.parse(line) as RolloutWatchNotice)
    )
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk))
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  get stderr(): string {
    return this.stderrText
  }

  windows(): GuardWindowRecord[] {
    return this.notices.flatMap((notice) => (notice.kind === 'window' ? [notice.window] : []))
  }

  async waitFor<T extends RolloutWatchNotice>(
    what: string,
    match: (notice: RolloutWatchNotice) => notice is T,
    timeoutMs = PHASE_TIMEOUT_MS
  ): Promise<T> {
    return waitFor(
      `rollout watch: ${what} (stderr: ${this.stderrText})`,
      () => Promise.resolve(this.notices.find(match)),
      timeoutMs,
      50
    )
  }

  /** SIGTERM, as an operator's Ctrl-C or a supervisor would send; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM')
    return this.exited
  }
}

function startWatch(home: string, actor: string): WatchProcess {
  const watch = new WatchProcess(home, actor)
  watches.push(watch)
  return watch
}

function newHome(name: string): string {
  const home = path.join(dir, 'homes', name)
  mkdirSync(home, { recursive: true })
  return home
}

async function openContext(home: string): Promise<AppContext> {
  const context = await createAppContext({ cwd: dir, env: demoCliEnv(home, 'alice') })
  contexts.push(context)
  return context
}

async function waitUntilServing(): Promise<void> {
  await waitUntilDemoServing(baseUrl, names.service)
}

/** An operator's hand edit before Rampart has seen the rollout, applied by restarting the service. */
async function setRolloutByHand(percentage: number): Promise<void> {
  writeFileSync(envFile, demoEnvText(percentage))
  await engine.restartContainer(names.service, { timeoutSeconds: 5 })
  await waitUntilServing()
  expect(await servedPercentage(baseUrl)).toBe(percentage)
}

/** Until the guards pass in the current phase, as `rollout status` shows them. */
async function waitForPass(context: AppContext): Promise<RolloutStatusView> {
  return waitFor(
    'the guards to pass in the current phase',
    async () => {
      const status = await context.services.rollout.status(undefined, FLAG)
      return status.guard.verdict === 'pass' ? status : undefined
    },
    PHASE_TIMEOUT_MS,
    250
  )
}

function events(context: AppContext): HistoryEvent[] {
  return context.services.history.list({ flag: FLAG, environment: ENVIRONMENT })
}

function percentageOf(state: unknown): unknown {
  return (state as { rollout_percentage?: unknown } | null)?.rollout_percentage
}

/** Every window from the first to the last, none missing, none twice. */
function expectContiguous(windows: readonly GuardWindowRecord[]): void {
  const starts = windows.map((window) => Date.parse(window.windowStart))
  expect(starts).toEqual(starts.map((_, index) => starts[0]! + index * WINDOW_MS))
}

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-guarded-rollout-'))
  envFile = path.join(dir, '.env')
  port = await freePort()
  const pgPort = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  writeFileSync(envFile, demoEnvText(0))
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    demoWorkspaceYaml({
      serviceContainer: names.service,
      postgresContainer: names.postgres,
      baseUrl,
      pgPort,
      verifyUrls: true
    })
  )
  const up = await runCli(
    [
      'demo',
      'up',
      '--image-node',
      NODE_FIXTURE_IMAGE,
      '--rps',
      '400',
      '--users',
      '40',
      '--seed',
      'guarded-rollout',
      '--json'
    ],
    newHome('demo')
  )
  expect(up.status, up.stderr).toBe(0)
  await waitUntilServing()
}, 180_000)

afterEach(async () => {
  for (const watch of watches.splice(0)) await watch.stop()
  for (const context of contexts.splice(0)) context.close()
})

afterAll(async () => {
  if (dir === undefined) return
  const down = await runCli(['demo', 'down', '--json'], newHome('demo'))
  await removeContainers(engine, Object.values(names))
  engine.close()
  rmSync(dir, { recursive: true, force: true })
  expect(down.status, down.stderr).toBe(0)
}, 60_000)

describe('live guards on the demo service', () => {
  it(
    `at 10 % trips within breach_windows + 1 windows of the first full window ` +
      `after a 20 % treatment failure rate is injected`,
    async () => {
      await setRolloutByHand(10)
      const context = await openContext(newHome('live-guard'))
      const decided: GuardWindowRecord[] = []
      const stop = new AbortController()
      const watching = context.services.guards.watch(
        { flag: FLAG },
        { onWindow: (_window, record) => void decided.push(record) },
        stop.signal
      )
      await waitFor(
        'two passing windows before the injection',
        () => Promise.resolve(decided.filter((record) => record.decision === 'pass').length >= 2 ? true : undefined),
        PHASE_TIMEOUT_MS,
        50
      )
      const injectedAtMs = Date.now()
      await injectDemoFaults(baseUrl, { treatment: { failure_rate: 0.2 } })
      await waitFor(
        'a trip',
        () => Promise.resolve(decided.some((record) => record.decision === 'trip') ? true : undefined),
        PHASE_TIMEOUT_MS,
        50
      )
      stop.abort()
      expect((await watching).stopped).toBe('aborted')

      const stored = context.services.store.guardWindows.listGuardWindows(FLAG, ENVIRONMENT)
      expect(stored.map((record) => [record.windowStart, record.decision])).toEqual(
        decided.map((record) => [record.windowStart, record.decision])
      )
      expectContiguous(stored)
      const firstFull = stored.findIndex((record) => Date.parse(record.windowStart) >= injectedAtMs)
      const trip = stored.findIndex((record) => record.decision === 'trip')
      expect(firstFull).toBeGreaterThan(0)
      // Windows that ended before the injection were healthy; the one it fell in may already breach.
      expect(stored.slice(0, firstFull - 1).map((record) => record.decision)).not.toContain('breach')
      expect(trip).toBeGreaterThanOrEqual(firstFull - 1)
      expect(trip - firstFull + 1).toBeLessThanOrEqual(BREACH_WINDOWS + 1)
      const tripFigures = stored[trip]!.figures as {
        treatment: { requests: number; error_rate: number }
        settings: { window_seconds: number; lateness_seconds: number }
      }
      expect(tripFigures.treatment.requests).toBeGreaterThanOrEqual(20)
      expect(tripFigures.treatment.error_rate).toBeGreaterThan(0.05)
      expect(tripFigures.settings).toMatchObject({ window_seconds: WINDOW_SECONDS, lateness_seconds: 1 })
      expect(events(context).filter((event) => event.kind === 'guard_trip')).toEqual([
        expect.objectContaining({
          actor: 'rampart',
          detail: expect.objectContaining({ window_start: stored[trip]!.windowStart, action: 'rollback' }) as unknown
        })
      ])
    },
    // Two passes before the injection (the first window partial), then at most breach_windows + 1 windows to the trip.
    budget({ decisions: 3 + BREACH_WINDOWS + 1, restarts: 1, cliRuns: 0 })
  )

  it(
    'guards watch through the CLI prints each window in the replay format and a summary, ' +
      'and stops after --windows',
    async () => {
      const home = newHome('guards-watch')
      const run = await runCli(['guards', 'watch', names.service, '--flag', FLAG, '--windows', '2', '--json'], home)
      expect(run.status, run.stderr).toBe(0)
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(lines.map((line) => Object.keys(line))).toEqual([
        ['window_start', 'treatment', 'control', 'decision', 'reasons'],
        ['window_start', 'treatment', 'control', 'decision', 'reasons'],
        ['verdict', 'first_trip_window', 'windows', 'unparsed_lines']
      ])
      expect(Date.parse(lines[1]!.window_start as string) - Date.parse(lines[0]!.window_start as string)).toBe(
        WINDOW_MS
      )
      expect(lines[2]).toMatchObject({ windows: 2, unparsed_lines: 0 })
    },
    budget({ decisions: 3, restarts: 0, cliRuns: 1 })
  )
})

describe('guarded rollouts through the rampart CLI', () => {
  it(
    'advances a healthy rollout 0 → 10 → 25 → 50 → 100 ' +
      'while rollout watch passes the guards of every phase across the restarts',
    async () => {
      await setRolloutByHand(0)
      const home = newHome('healthy')
      const context = await openContext(home)
      // The release owner looks at the rollout first: its phase (and the windows that count) start now.
      await context.services.rollout.status(undefined, FLAG)
      const watch = startWatch(home, 'bob')
      await watch.waitFor(
        'the start',
        (notice): notice is Extract<RolloutWatchNotice, { kind: 'watching' }> => notice.kind === 'watching'
      )

      for (const target of [10, 25, 50, 100]) {
        await waitForPass(context)
        const run = await runCli(
          [
            'rollout',
            'advance',
            '--flag',
            FLAG,
            '--reason',
            `guards green, on to ${target} %`,
            ...(target === 100 ? ['--confirm', FLAG] : []),
            '--json'
          ],
          home,
          'alice'
        )
        expect(run.status, run.stderr).toBe(0)
        const result = JSON.parse(run.stdout) as AppliedMoveResult
        expect(result.state.rollout_percentage).toBe(target)
        expect(result.service.outcome).toBe('restarted')
        expect(await servedPercentage(baseUrl)).toBe(target)
      }
      // The guards followed the last restart too.
      const atFull = await waitForPass(context)
      expect(atFull.position).toEqual({ kind: 'phase', phase: 100 })
      expect(await watch.stop()).toBe(0)

      const moves = events(context).filter((event) => event.kind === 'phase_move')
      expect(
        moves.map((event) => [percentageOf(event.fromState), percentageOf(event.toState), event.actor, event.outcome])
      ).toEqual([
        [0, 10, 'alice', 'applied'],
        [10, 25, 'alice', 'applied'],
        [25, 50, 'alice', 'applied'],
        [50, 100, 'alice', 'applied']
      ])
      expect(moves.map((event) => event.reason)).toEqual(
        [10, 25, 50, 100].map((target) => `guards green, on to ${target} %`)
      )
      for (const move of moves) expect(move.guardSnapshot).toMatchObject({ verdict: 'pass', tripped: false })
      expect(events(context).map((event) => event.kind)).not.toContain('guard_trip')
      expect(watch.notices.filter((notice) => notice.kind === 'followed')).toHaveLength(4)
      expect(watch.notices.at(-1)).toMatchObject({ kind: 'stopped', reason: 'aborted', trips: 0 })
      const stored = context.services.store.guardWindows.listGuardWindows(FLAG, ENVIRONMENT)
      expect(stored.map((record) => record.windowStart)).toEqual(watch.windows().map((record) => record.windowStart))
      expectContiguous(stored)
      const verify = await runCli(['history', 'verify', '--json'], home)
      expect(verify.status, verify.stderr).toBe(0)
    },
    // Four phases: a pass, then an advance that restarts the service; a last pass at 100 %; the set-up restart.
    budget({ decisions: 4 + 1, restarts: 1 + 4, cliRuns: 1 + 4 + 1 })
  )

  it(
    'trips at 25 % after an injected regression and is rolled back to 0 % automatically, ' +
      'with every window and decision in history',
    async () => {
      await setRolloutByHand(10)
      const home = newHome('trip')
      const context = await openContext(home)
      await context.services.rollout.status(undefined, FLAG)
      const watch = startWatch(home, 'bob')
      await waitForPass(context)
      const advanced = await runCli(
        ['rollout', 'advance', '--flag', FLAG, '--reason', 'guards green at 10 %', '--json'],
        home,
        'alice'
      )
      expect(advanced.status, advanced.stderr).toBe(0)
      await waitForPass(context)

      await injectDemoFaults(baseUrl, { treatment: { failure_rate: 0.3 } })
      const action = await watch.waitFor(
        'the automatic action',
        (notice): notice is Extract<RolloutWatchNotice, { kind: 'action' }> => notice.kind === 'action'
      )
      expect(action).toMatchObject({ action: 'rollback', outcome: 'applied', service: { outcome: 'restarted' } })
      expect(readFileSync(envFile, 'utf8')).toContain('FEATURE_LLM_HUB_ROLLOUT=0\n')
      expect(await servedPercentage(baseUrl)).toBe(0)
      // The guards go on at 0 % after the restart that cleared the fault.
      const restarted = await watch.waitFor(
        'the log followed again after the restart',
        (notice): notice is Extract<RolloutWatchNotice, { kind: 'followed' }> =>
          notice.kind === 'followed' && watch.notices.indexOf(notice) > watch.notices.indexOf(action)
      )
      const sinceRestart = (): GuardWindowRecord[] =>
        watch.windows().filter((record) => Date.parse(record.windowStart) >= Date.parse(restarted.startedAt))
      await waitFor(
        'two windows of the restarted service',
        () => Promise.resolve(sinceRestart().length >= 2 ? true : undefined),
        PHASE_TIMEOUT_MS,
        50
      )
      expect(await watch.stop()).toBe(0)

      const timeline = events(context).filter((event) => event.kind !== 'refused')
      expect(
        timeline.map((event) => [event.kind, event.actor, percentageOf(event.fromState), percentageOf(event.toState)])
      ).toEqual([
        ['phase_move', 'alice', 10, 25],
        ['guard_trip', 'rampart', undefined, undefined],
        ['rollback', 'rampart', 25, 0]
      ])
      const [, trip, rollback] = timeline
      expect(rollback!.reason).toMatch(/^guard trip: treatment error rate 0\.\d+ > 0\.05; 2 breaches in a row/)
      expect(rollback!.detail).toMatchObject({ move: 'rollback', runBy: 'bob' })
      expect(rollback!.guardSnapshot).toMatchObject({ verdict: 'trip', tripped: true })
      expect(action).toMatchObject({ tripEventSeq: trip!.seq, eventSeq: rollback!.seq })

      const stored = context.services.store.guardWindows.listGuardWindows(FLAG, ENVIRONMENT)
      expect(stored.map((record) => [record.windowStart, record.decision])).toEqual(
        watch.windows().map((record) => [record.windowStart, record.decision])
      )
      expectContiguous(stored)
      const tripIndex = stored.findIndex((record) => record.decision === 'trip')
      expect(stored[tripIndex]!.windowStart).toBe((trip!.detail as { window_start: string }).window_start)
      expect(stored[tripIndex - 1]!.decision).toBe('breach')
      expect(stored.filter((record) => record.decision === 'trip')).toHaveLength(1)
      expect(sinceRestart().map((record) => record.decision)).not.toContain('breach')
      expect(
        context.services.store.operations
          .listDockerActions({ container: names.service })
          .filter((action) => action.action === 'restart' && action.outcome === 'succeeded').length
      ).toBeGreaterThanOrEqual(2)
      expect(context.services.history.verify().ok).toBe(true)
    },
    // A pass at 10 %, the advance, a pass at 25 %, breach_windows + 1 to the trip, the rollback, two windows after it.
    budget({ decisions: 2 + BREACH_WINDOWS + 1 + 2, restarts: 1 + 1 + 1, cliRuns: 1 + 1 })
  )

  it(
    'refuses the next advance after a hand edit to 37 % as drift, ' +
      'records it, and from 37 % offers only back, rollback and kill',
    async () => {
      await setRolloutByHand(25)
      const home = newHome('drift')
      const context = await openContext(home)
      await context.services.rollout.status(undefined, FLAG)
      writeFileSync(envFile, demoEnvText(37))

      const refused = await runCli(['rollout', 'advance', '--flag', FLAG, '--reason', 'next phase'], home)
      expect(refused.status).toBe(1)
      expect(refused.stderr).toContain(`flag ${FLAG} changed since it was last read (rollout_percentage)`)
      expect(events(context).filter((event) => event.kind === 'drift')).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          actor: 'alice',
          fromState: expect.objectContaining({ rollout_percentage: 25 }) as unknown,
          toState: expect.objectContaining({ rollout_percentage: 37 }) as unknown
        })
      ])

      const status = await runCli(['rollout', 'status', '--flag', FLAG, '--json'], home)
      expect(status.status, status.stderr).toBe(0)
      const view = JSON.parse(status.stdout) as RolloutStatusView
      expect(view.position).toMatchObject({ kind: 'drift', percentage: 37 })
      expect(view.options.map((option) => [option.move, option.target])).toEqual([
        ['back', { rollout_percentage: 25 }],
        ['rollback', { rollout_percentage: 0 }],
        ['kill', { enabled: false }]
      ])
      const again = await runCli(['rollout', 'advance', '--flag', FLAG, '--reason', 'next phase'], home)
      expect(again.status).toBe(1)
      expect(again.stderr).toContain('37 % is off the path')

      const back = await runCli(['rollout', 'back', '--flag', FLAG, '--reason', 'back onto the path', '--json'], home)
      expect(back.status, back.stderr).toBe(0)
      expect((JSON.parse(back.stdout) as AppliedMoveResult).state.rollout_percentage).toBe(25)
      expect(await servedPercentage(baseUrl)).toBe(25)
      expect(context.services.history.verify().ok).toBe(true)
    },
    budget({ decisions: 0, restarts: 1 + 1, cliRuns: 4 })
  )

  it(
    'lets exactly one of two operators advancing at once through, ' +
      'refuses the other clearly, and keeps the chain intact',
    async () => {
      await setRolloutByHand(10)
      const home = newHome('two-operators')
      const context = await openContext(home)
      await context.services.rollout.status(undefined, FLAG)
      startWatch(home, 'bob')
      await waitForPass(context)

      const runs = await Promise.all(
        (['alice', 'carol'] as const).map(async (actor) => ({
          actor,
          run: await runCli(['rollout', 'advance', '--flag', FLAG, '--reason', `${actor}: guards green`], home, actor)
        }))
      )
      expect(runs.map(({ run }) => run.status).sort()).toEqual([0, 1])
      const applied = runs.find(({ run }) => run.status === 0)!
      const refused = runs.find(({ run }) => run.status === 1)!
      // Either it met the other's move lock, or it came a moment later and saw the phase the other had just entered.
      expect(refused.run.stderr).toMatch(
        new RegExp(
          `another move of ${FLAG} in ${ENVIRONMENT} is being written right now by ${applied.actor} \\(pid \\d+|` +
            `cannot advance ${FLAG} from 25 % to 50 %: guards have no verdict yet`
        )
      )
      const moves = events(context).filter((event) => event.kind === 'phase_move')
      expect(
        moves.map((event) => [event.actor, percentageOf(event.fromState), percentageOf(event.toState), event.outcome])
      ).toEqual([[applied.actor, 10, 25, 'applied']])
      expect(
        events(context)
          .filter((event) => event.kind === 'refused')
          .map((event) => event.actor)
      ).toEqual([refused.actor])
      expect(readFileSync(envFile, 'utf8')).toContain('FEATURE_LLM_HUB_ROLLOUT=25\n')
      const verify = await runCli(['history', 'verify', '--json'], home)
      expect(verify.status, verify.stderr).toBe(0)
    },
    budget({ decisions: 1, restarts: 1 + 1, cliRuns: 1 + 2 + 1 })
  )
})
