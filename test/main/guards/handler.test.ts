/**
 * The `guards.supervision` stream producer on a real supervisor, orchestrator and history file,
 * its log lines fed by hand: a page gets a snapshot, then each change in order, the automatic
 * action included; the stream ends when the page goes away, and the watch goes on without it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { StreamSink } from '@main/transport/contract-dispatch'
import { AttentionService } from '@main/guards/attention'
import { GuardSupervisor } from '@main/guards/guard-supervisor'
import { supervisionProducer } from '@main/guards/handler'
import { RolloutOrchestrator } from '@main/guards/rollout-orchestrator'
import { AppliedMoves } from '@main/rollouts/applied-moves'
import type { SupervisionNotice } from '@shared/supervision-types'
import { fedGuards } from '@test/fixtures/fed-guards'
import { windowLines, type WindowTraffic } from '@test/fixtures/guard-line-feed'
import type { ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
const WINDOW_MS = 10_000
const HEALTHY: WindowTraffic = { treatment: 40, control: 100 }
const FAILING: WindowTraffic = { treatment: 40, treatmentFailures: 12, control: 100 }

let workspace: ServiceWorkspace | undefined
let supervisor: GuardSupervisor | undefined

afterEach(async () => {
  await supervisor?.stop()
  supervisor = undefined
  workspace?.cleanup()
  workspace = undefined
})

/** A sink that takes every batch at once and records it; `stop` is the page going away. */
function recordingSink(): { sink: StreamSink<SupervisionNotice>; pushed: SupervisionNotice[]; stop: () => void } {
  const controller = new AbortController()
  const pushed: SupervisionNotice[] = []
  return {
    sink: { push: (items) => Promise.resolve(void pushed.push(...items)), signal: controller.signal },
    pushed,
    stop: () => controller.abort()
  }
}

async function producerRig() {
  const rigged = await fedGuards({ windowSeconds: WINDOW_MS / 1000 })
  workspace = rigged.workspace
  const { context, environments, feed, guards } = rigged
  const ws = rigged.workspace
  const moves = new AppliedMoves({
    rollout: context.services.rollout,
    environments,
    applier: {
      apply: () =>
        Promise.resolve({ outcome: 'not_needed', container: null, message: 'nothing to restart', durationMs: 0 })
    }
  })
  const orchestrator = new RolloutOrchestrator({ moves, guards, environments })
  const attention = new AttentionService({ events: context.services.store.events, actor: 'tester', notifier: null })
  supervisor = new GuardSupervisor({ environments, orchestrator, attention, clock: ws.clock, pollMs: 10, retryMs: 0 })
  const startMs = ws.clock.now().getTime()
  await context.services.rollout.status(undefined, FLAG)
  const current = supervisor
  return {
    context,
    supervisor: current,
    produce: supervisionProducer({ supervisor: current }),
    window(index: number, traffic: WindowTraffic) {
      const windowStart = startMs + index * WINDOW_MS
      const now = ws.clock.now().getTime()
      if (windowStart + WINDOW_MS > now) ws.clock.advanceSeconds((windowStart + WINDOW_MS - now) / 1000)
      feed.push(windowLines(FLAG, windowStart, WINDOW_MS, traffic))
    },
    watching: () => current.watches().some((watch) => watch.flag === FLAG && watch.state === 'watching')
  }
}

function summaryOf(notice: SupervisionNotice): string {
  switch (notice.kind) {
    case 'snapshot':
      return `snapshot:${notice.watches.length}`
    case 'watch':
      return `watch:${notice.watch.state}`
    case 'window':
      return `window:${notice.window.decision}`
    case 'action':
      return `action:${notice.action.action}:${notice.action.outcome}`
    case 'attention':
      return `attention:${notice.attention.level}`
  }
}

describe('the guards.supervision stream', () => {
  it('pushes a snapshot first, then every change in order: each window, attentions and the action', async () => {
    const rig = await producerRig()
    const { sink, pushed, stop } = recordingSink()
    const producing = rig.produce({}, sink)
    rig.supervisor.start()
    await until(rig.watching)
    rig.window(0, HEALTHY)
    rig.window(1, FAILING)
    rig.window(2, FAILING)
    rig.window(3, HEALTHY)
    await until(() => pushed.some((notice) => notice.kind === 'action'))
    stop()
    await producing
    const kinds = pushed.map(summaryOf).filter((kind) => !kind.startsWith('watch:'))
    expect(kinds).toEqual([
      'snapshot:0',
      'window:pass',
      'window:breach',
      'attention:breach',
      'window:trip',
      'attention:trip',
      'action:rollback:applied'
    ])
    expect(pushed.map(summaryOf)).toContain('watch:watching')
    const action = pushed.find((notice) => notice.kind === 'action')
    expect(action).toMatchObject({ environment: 'local', flag: FLAG, action: { eventSeq: expect.any(Number) } })
  })

  it('gives a page that opens later the watches as they stand, with the latest window', async () => {
    const rig = await producerRig()
    rig.supervisor.start()
    await until(rig.watching)
    // A window is decided once a line past its end has been read: the next window's lines.
    rig.window(0, HEALTHY)
    rig.window(1, HEALTHY)
    await until(() => rig.supervisor.watches()[0]?.latestWindow !== null)
    const { sink, pushed, stop } = recordingSink()
    const producing = rig.produce({}, sink)
    await until(() => pushed.length > 0)
    stop()
    await producing
    expect(pushed[0]).toMatchObject({
      kind: 'snapshot',
      watches: [{ flag: FLAG, state: 'watching', latestWindow: { decision: 'pass' } }],
      summary: { worst: 'ok', title: 'All guards quiet' }
    })
  })

  it('ends when the page goes away, and the watch goes on without it', async () => {
    const rig = await producerRig()
    rig.supervisor.start()
    await until(rig.watching)
    const { sink, pushed, stop } = recordingSink()
    const producing = rig.produce({}, sink)
    await until(() => pushed.length > 0)
    stop()
    await producing
    const seen = pushed.length
    rig.window(0, HEALTHY)
    rig.window(1, HEALTHY)
    await until(() => rig.supervisor.watches()[0]?.latestWindow?.decision === 'pass')
    expect(pushed).toHaveLength(seen)
    expect(rig.watching()).toBe(true)
  })
})

/** Waits (without a clock) until the producer's asynchronous work has caught up. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 2000 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 1))
  expect(condition()).toBe(true)
}
