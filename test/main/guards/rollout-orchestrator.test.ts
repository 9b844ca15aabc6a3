import { rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import type { FlagChangeApplier, FlagChangeApplyRequest } from '@main/rollouts/flag-change-apply'
import { AppliedMoves } from '@main/rollouts/applied-moves'
import {
  RolloutOrchestrator,
  type RolloutOrchestratorDeps,
  type RolloutWatchSummary
} from '@main/guards/rollout-orchestrator'
import { RampartError } from '@shared/errors'
import type { HistoryEvent } from '@shared/history-types'
import type { RollbackEmergencyInput } from '@shared/runbook-operation-inputs'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import { fedGuards } from '@test/fixtures/fed-guards'
import { windowLines, type LineFeed, type WindowTraffic } from '@test/fixtures/guard-line-feed'
import { seedEnvText, type ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
const WINDOW_SECONDS = 10
const WINDOW_MS = WINDOW_SECONDS * 1000
const HEALTHY: WindowTraffic = { treatment: 40, control: 100 }
const FAILING: WindowTraffic = { treatment: 40, treatmentFailures: 12, control: 100 }
const THIN_AND_FAILING: WindowTraffic = { treatment: 5, treatmentFailures: 5, control: 100 }

let workspace: ServiceWorkspace | undefined

afterEach(() => {
  workspace?.cleanup()
  workspace = undefined
})

/** Stands in for the container restart (tested against Docker in the e2e tests): records what it was asked to apply. */
class RecordingApplier implements FlagChangeApplier {
  readonly requests: FlagChangeApplyRequest[] = []
  failWith: Error | null = null

  apply(request: FlagChangeApplyRequest): ReturnType<FlagChangeApplier['apply']> {
    this.requests.push(request)
    if (this.failWith !== null) return Promise.reject(this.failWith)
    return Promise.resolve({
      outcome: 'restarted',
      container: 'ops-center-test',
      message: 'restarted ops-center-test',
      durationMs: 1
    })
  }
}

interface Rig {
  context: AppContext
  feed: LineFeed
  applier: RecordingApplier
  orchestrator: RolloutOrchestrator
  moves: AppliedMoves
  notices: RolloutWatchNotice[]
  /**
   * Lines for window `index` (0: the window the watch starts in); the clock moves to that window's
   * end, as if they had just been read.
   */
  window(index: number, traffic: WindowTraffic): void
  watch(windows?: number): Promise<RolloutWatchSummary>
  events(): HistoryEvent[]
}

async function rig(
  options: { percentage?: number; action?: string; deps?: Partial<RolloutOrchestratorDeps> } = {}
): Promise<Rig> {
  const rigged = await fedGuards({
    windowSeconds: WINDOW_SECONDS,
    ...(options.percentage === undefined ? {} : { percentage: options.percentage }),
    ...(options.action === undefined ? {} : { action: options.action })
  })
  workspace = rigged.workspace
  const { context, environments, feed, guards } = rigged
  const ws = rigged.workspace
  const applier = new RecordingApplier()
  const moves = new AppliedMoves({ rollout: context.services.rollout, applier, environments })
  const orchestrator = new RolloutOrchestrator({ moves, guards, environments, lockRetryMs: 5_000, ...options.deps })
  const startMs = ws.clock.now().getTime()
  const notices: RolloutWatchNotice[] = []
  // The rollout is first seen now: its phase, and the guard windows that count for it, start here.
  await context.services.rollout.status(undefined, FLAG)
  return {
    context,
    feed,
    applier,
    orchestrator,
    moves,
    notices,
    window(index, traffic) {
      const windowStart = startMs + index * WINDOW_MS
      const now = ws.clock.now().getTime()
      if (windowStart + WINDOW_MS > now) ws.clock.advanceSeconds((windowStart + WINDOW_MS - now) / 1000)
      feed.push(windowLines(FLAG, windowStart, WINDOW_MS, traffic))
    },
    watch(windows) {
      return orchestrator.watch(
        { flag: FLAG, ...(windows === undefined ? {} : { windows }) },
        (notice) => void notices.push(notice),
        new AbortController().signal
      )
    },
    events() {
      return context.services.history.list({ flag: FLAG })
    }
  }
}

function percentageIn(text: string): string | undefined {
  return /FEATURE_LLM_HUB_ROLLOUT = (\S+)/.exec(text)?.[1]
}

function actions(notices: RolloutWatchNotice[]): Array<Extract<RolloutWatchNotice, { kind: 'action' }>> {
  return notices.filter((notice): notice is Extract<RolloutWatchNotice, { kind: 'action' }> => notice.kind === 'action')
}

describe('RolloutOrchestrator.watch: a trip takes the environment action', () => {
  it(
    'rolls back to 0 % as rampart on a trip at 25 %, ' +
      'applies it to the service, and reports every window and the action in order',
    async () => {
      const r = await rig()
      const watching = r.watch(3)
      r.window(0, HEALTHY)
      r.window(1, FAILING)
      r.window(2, FAILING)
      r.window(3, HEALTHY)
      const summary = await watching

      expect(percentageIn(workspace!.readEnv())).toBe('0')
      expect(
        r.notices.map((notice) => (notice.kind === 'window' ? `window:${notice.window.decision}` : notice.kind))
      ).toEqual(['watching', 'window:pass', 'window:breach', 'window:trip', 'action', 'stopped'])
      const trip = r.events().find((event) => event.kind === 'guard_trip')!
      const rollback = r.events().find((event) => event.kind === 'rollback')!
      expect(rollback).toMatchObject({
        actor: 'rampart',
        outcome: 'applied',
        fromState: { rollout_percentage: 25 },
        toState: { rollout_percentage: 0 },
        detail: { move: 'rollback', runBy: 'tester' }
      })
      expect(rollback.reason).toMatch(/^guard trip: treatment error rate 0\.3 > 0\.05; 2 breaches in a row/)
      expect(rollback.guardSnapshot).toMatchObject({ verdict: 'trip', tripped: true })
      expect(rollback.seq).toBeGreaterThan(trip.seq)
      expect(actions(r.notices)).toEqual([
        expect.objectContaining({
          action: 'rollback',
          outcome: 'applied',
          tripEventSeq: trip.seq,
          eventSeq: rollback.seq,
          service: expect.objectContaining({ outcome: 'restarted' })
        })
      ])
      expect(r.applier.requests).toEqual([{ environment: 'local', flag: FLAG, eventSeq: rollback.seq }])
      expect(summary).toMatchObject({ windows: 3, trips: 1, reason: 'window_limit' })
      expect(r.context.services.history.verify().ok).toBe(true)
    }
  )

  it('leaves the trip with the phase it happened in: after the rollback the guards at 0 % start afresh', async () => {
    const r = await rig()
    const watching = r.watch(4)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    // The clock stands at the end of window 2 when the rollback is made: only windows from there count for 0 %.
    await until(() => actions(r.notices).length === 1)
    r.window(3, HEALTHY)
    r.window(4, HEALTHY)
    await watching
    const status = await r.context.services.rollout.status(undefined, FLAG)
    expect(status.position).toEqual({ kind: 'phase', phase: 0 })
    expect(status.guard.verdict).toBe('pass')
    expect(status.guard.tripped).toBe(false)
  })

  it('never acts on windows with too little treatment data, however they fail', async () => {
    const r = await rig()
    const watching = r.watch(3)
    for (let index = 0; index < 4; index += 1) r.window(index, THIN_AND_FAILING)
    const summary = await watching
    expect(
      r.notices
        .filter((notice) => notice.kind === 'window')
        .map((notice) => (notice.kind === 'window' ? notice.window.decision : ''))
    ).toEqual(['hold', 'hold', 'hold'])
    expect(summary).toMatchObject({ trips: 0, actions: [] })
    expect(percentageIn(workspace!.readEnv())).toBe('25')
    expect(r.applier.requests).toEqual([])
  })

  it('with action alert only records the trip, and the trip then blocks advancing in that phase', async () => {
    const r = await rig({ action: 'alert' })
    const watching = r.watch(4)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    r.window(3, HEALTHY)
    r.window(4, HEALTHY)
    await watching
    expect(actions(r.notices)).toEqual([
      expect.objectContaining({ action: 'alert', outcome: 'recorded', eventSeq: null })
    ])
    expect(percentageIn(workspace!.readEnv())).toBe('25')
    expect(r.events().map((event) => event.kind)).toEqual(['guard_trip'])

    const refused = await r.moves
      .move({ flag: FLAG, move: 'advance', reason: 'looks fine now' })
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RampartError)
    expect((refused as RampartError).detail).toEqual({
      unmet: ['guards are trip, not pass', 'guards have tripped; a trip blocks advancing until it is cleared']
    })
    expect(r.applier.requests).toEqual([])
  })

  it('with action kill and no emergency runbook, disables the flag as rampart', async () => {
    const r = await rig({ action: 'kill' })
    const watching = r.watch(2)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    await watching
    expect(workspace!.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    expect(r.events().find((event) => event.kind === 'kill')).toMatchObject({
      actor: 'rampart',
      outcome: 'applied',
      toState: { enabled: false }
    })
  })

  it('with action kill hands the trip to the emergency rollback runbook when there is one', async () => {
    const asked: RollbackEmergencyInput[] = []
    const emergencyRollback: RolloutOrchestratorDeps['emergencyRollback'] = {
      run: (request) => {
        asked.push(request)
        return Promise.resolve({
          result: {
            flag: FLAG,
            environment: 'local',
            intentAt: '',
            safeAt: '',
            timeToSafeMs: 900,
            alreadyDisabled: false,
            restarted: true,
            healthCheck: 'http://127.0.0.1:1/health',
            verifiedUrls: [],
            logLines: []
          },
          run: { id: 7 } as never
        })
      }
    }
    const r = await rig({ action: 'kill', deps: { emergencyRollback } })
    const watching = r.watch(2)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    await watching
    expect(asked).toEqual([
      {
        environment: 'local',
        flag: FLAG,
        reason: expect.stringMatching(/^guard trip: treatment error rate/) as unknown as string
      }
    ])
    expect(actions(r.notices)[0]).toMatchObject({
      action: 'kill',
      outcome: 'applied',
      message: expect.stringContaining('emergency rollback run #7') as unknown as string
    })
  })

  it('skips the rollback of a rollout already at 0 %', async () => {
    const r = await rig({ percentage: 0 })
    const watching = r.watch(2)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    await watching
    expect(actions(r.notices)).toEqual([
      expect.objectContaining({
        outcome: 'skipped',
        message: expect.stringContaining('already at 0 %') as unknown as string
      })
    ])
    expect(r.events().map((event) => event.kind)).toEqual(['guard_trip'])
  })

  it('waits for an operator whose move holds the lock, then rolls back from the state that move left', async () => {
    const r = await rig()
    const lockPath = `${workspace!.envPath}.rampart-lock`
    writeFileSync(
      lockPath,
      JSON.stringify({
        actor: 'alice',
        pid: process.pid,
        host: hostname(),
        since: new Date().toISOString(),
        token: 'held-by-test'
      })
    )
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        workspace!.writeEnv(seedEnvText(50))
        rmSync(lockPath)
        resolve()
      }, 400)
    )
    const watching = r.watch(2)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    await watching
    await released
    expect(percentageIn(workspace!.readEnv())).toBe('0')
    const rollback = r.events().find((event) => event.kind === 'rollback')!
    expect(rollback.fromState).toMatchObject({ rollout_percentage: 50 })
    // The hand-made change is on record as drift before the rollback that undid it.
    expect(r.events().filter((event) => event.kind === 'drift')).toEqual([
      expect.objectContaining({ outcome: 'observed', actor: 'rampart' })
    ])
  })

  it('reports an action that could not be applied and goes on watching', async () => {
    const r = await rig()
    r.applier.failWith = new RampartError('failed', 'restarting ops-center-test failed: no such container')
    const watching = r.watch(4)
    r.window(0, FAILING)
    r.window(1, FAILING)
    r.window(2, HEALTHY)
    r.window(3, HEALTHY)
    r.window(4, HEALTHY)
    const summary = await watching
    expect(actions(r.notices)).toEqual([
      expect.objectContaining({
        action: 'rollback',
        outcome: 'failed',
        message: 'restarting ops-center-test failed: no such container'
      })
    ])
    expect(summary).toMatchObject({ windows: 4, reason: 'window_limit' })
  })

  it('refuses a second watch of the flag as a conflict naming the holder, and never says it is watching', async () => {
    const r = await rig()
    const lockPath = `${r.context.services.store.path}.guards-watch.local.${FLAG}.lock`
    writeFileSync(
      lockPath,
      JSON.stringify({
        actor: 'bob',
        pid: process.pid,
        host: hostname(),
        since: new Date().toISOString(),
        token: 'held-by-test'
      })
    )
    const refused = await r.watch().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RampartError)
    expect((refused as RampartError).code).toBe('conflict')
    expect((refused as RampartError).message).toContain(`already being watched by bob (pid ${process.pid}`)
    expect(r.notices).toEqual([])
  })
})

describe('AppliedMoves.move', () => {
  it('records the move, then applies it to the service, naming the event', async () => {
    const r = await rig()
    const result = await r.moves.move({ flag: FLAG, move: 'back', reason: 'step back for the night', restart: false })
    expect(result.state.rollout_percentage).toBe(10)
    expect(result.event).toMatchObject({ kind: 'phase_move', actor: 'tester', reason: 'step back for the night' })
    expect(result.event.detail).not.toHaveProperty('runBy')
    expect(r.applier.requests).toEqual([
      { environment: 'local', flag: FLAG, eventSeq: result.event.seq, restart: false }
    ])
    expect(result.service.outcome).toBe('restarted')
  })
})

/** Waits (without a clock) until the watch's asynchronous work has caught up. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 2000 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 1))
  expect(condition()).toBe(true)
}
