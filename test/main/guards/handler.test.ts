/**
 * The `rollout.watch` stream producer on a real orchestrator and history file, its log lines fed
 * by hand: notices reach the sink in order, and the stream ends when the subscriber goes away,
 * even though the watch reports its stop after the abort (a page closed, a panel unmounted).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { StreamSink } from '@main/transport/contract-dispatch'
import { rolloutWatchProducer } from '@main/guards/handler'
import { AppliedMoves } from '@main/rollouts/applied-moves'
import { RolloutOrchestrator } from '@main/guards/rollout-orchestrator'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import { fedGuards } from '@test/fixtures/fed-guards'
import { windowLines, type LineFeed } from '@test/fixtures/guard-line-feed'
import type { ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
const WINDOW_MS = 10_000

let workspace: ServiceWorkspace | undefined

afterEach(() => {
  workspace?.cleanup()
  workspace = undefined
})

/** A sink that takes every batch at once and records it; `stop` is the subscriber going away. */
function recordingSink(): { sink: StreamSink<RolloutWatchNotice>; pushed: RolloutWatchNotice[]; stop: () => void } {
  const controller = new AbortController()
  const pushed: RolloutWatchNotice[] = []
  return {
    sink: { push: (items) => Promise.resolve(void pushed.push(...items)), signal: controller.signal },
    pushed,
    stop: () => controller.abort()
  }
}

async function producerRig(): Promise<{
  produce: ReturnType<typeof rolloutWatchProducer>
  feed: LineFeed
  startMs: number
  advanceTo(ms: number): void
}> {
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
  const rolloutOrchestrator = new RolloutOrchestrator({ moves, guards, environments })
  return {
    produce: rolloutWatchProducer({ ...context.services, rolloutOrchestrator }),
    feed,
    startMs: ws.clock.now().getTime(),
    advanceTo: (ms) => ws.clock.advanceSeconds((ms - ws.clock.now().getTime()) / 1000)
  }
}

describe('the rollout.watch stream', () => {
  it('pushes watching, then each decided window, in order', async () => {
    const rig = await producerRig()
    const { sink, pushed, stop } = recordingSink()
    const producing = rig.produce({ flag: FLAG, windows: 2 }, sink)
    for (const index of [0, 1, 2]) {
      rig.advanceTo(rig.startMs + (index + 1) * WINDOW_MS)
      rig.feed.push(windowLines(FLAG, rig.startMs + index * WINDOW_MS, WINDOW_MS, { treatment: 40, control: 100 }))
    }
    await producing
    stop()
    expect(
      pushed.map((notice) => (notice.kind === 'window' ? `window:${notice.window.decision}` : notice.kind))
    ).toEqual(['watching', 'window:pass', 'window:pass', 'stopped'])
  })

  it('ends once the subscriber goes away, dropping the stop the watch reports after the abort', async () => {
    const rig = await producerRig()
    const { sink, pushed, stop } = recordingSink()
    const producing = rig.produce({ flag: FLAG }, sink)
    await until(() => pushed.length > 0)
    stop()
    await producing
    expect(pushed.map((notice) => notice.kind)).toEqual(['watching'])
  })
})

/** Waits (without a clock) until the producer's asynchronous work has caught up. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 2000 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 1))
  expect(condition()).toBe(true)
}
