import { rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import { AttentionService } from '@main/guards/attention'
import { GuardSupervisor } from '@main/guards/guard-supervisor'
import { RolloutOrchestrator } from '@main/guards/rollout-orchestrator'
import { AppliedMoves } from '@main/rollouts/applied-moves'
import type { DesktopNotifier } from '@main/platform/desktop-notifier'
import type { HistoryEvent } from '@shared/history-types'
import type { FlagWatchView, SupervisionNotice } from '@shared/supervision-types'
import { fedGuards } from '@test/fixtures/fed-guards'
import { windowLines, type LineFeed, type WindowTraffic } from '@test/fixtures/guard-line-feed'
import { seedEnvText, type ServiceWorkspace } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
const WINDOW_SECONDS = 10
const WINDOW_MS = WINDOW_SECONDS * 1000
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

class RecordingNotifier implements DesktopNotifier {
  readonly shown: Array<{ title: string; body: string; urgent: boolean }> = []
  show(notice: { title: string; body: string; urgent: boolean }): boolean {
    this.shown.push(notice)
    return true
  }
}

interface Rig {
  context: AppContext
  feed: LineFeed
  supervisor: GuardSupervisor
  notifier: RecordingNotifier
  window(index: number, traffic: WindowTraffic): void
  watch(): FlagWatchView | undefined
  events(): HistoryEvent[]
}

async function rig(options: { envText?: string; notifier?: boolean } = {}): Promise<Rig> {
  const rigged = await fedGuards({ windowSeconds: WINDOW_SECONDS })
  workspace = rigged.workspace
  if (options.envText !== undefined) workspace.writeEnv(options.envText)
  const { context, environments, feed, guards } = rigged
  const ws = rigged.workspace
  const moves = new AppliedMoves({
    rollout: context.services.rollout,
    environments,
    applier: {
      apply: () => Promise.resolve({ outcome: 'not_needed', container: null, message: 'no restart', durationMs: 0 })
    }
  })
  const orchestrator = new RolloutOrchestrator({ moves, guards, environments, lockRetryMs: 5_000 })
  const notifier = new RecordingNotifier()
  const attention = new AttentionService({
    events: context.services.store.events,
    actor: 'tester',
    notifier: options.notifier === false ? null : notifier
  })
  supervisor = new GuardSupervisor({ environments, orchestrator, attention, clock: ws.clock, pollMs: 10, retryMs: 0 })
  const startMs = ws.clock.now().getTime()
  await context.services.rollout.status(undefined, FLAG)
  const current = supervisor
  return {
    context,
    feed,
    supervisor,
    notifier,
    window(index, traffic) {
      const windowStart = startMs + index * WINDOW_MS
      const now = ws.clock.now().getTime()
      if (windowStart + WINDOW_MS > now) ws.clock.advanceSeconds((windowStart + WINDOW_MS - now) / 1000)
      feed.push(windowLines(FLAG, windowStart, WINDOW_MS, traffic))
    },
    watch: () => current.watches().find((watch) => watch.flag === FLAG),
    events: () => context.services.history.list({ flag: FLAG })
  }
}

describe('GuardSupervisor', () => {
  it(
    'watches an enabled flag from start-up with no page following: a regression is rolled back, ' +
      'and who was notified of what is recorded',
    async () => {
      const r = await rig()
      r.supervisor.start()
      await until(() => r.watch()?.state === 'watching')
      r.window(0, HEALTHY)
      r.window(1, FAILING)
      r.window(2, FAILING)
      r.window(3, HEALTHY)
      await until(() => r.events().some((event) => event.kind === 'rollback' && event.actor === 'rampart'))
      expect(workspace!.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT = 0')

      const notifications = r.events().filter((event) => event.kind === 'notification')
      expect(notifications.map((event) => [event.reason, event.outcome])).toEqual([
        [`Guard breach: ${FLAG} (local)`, 'notified'],
        [`Guards tripped: ${FLAG} (local)`, 'notified']
      ])
      expect(notifications[1]!.detail).toMatchObject({
        level: 'trip',
        notified: ['tester (desktop notification)'],
        consolePages: 0
      })
      expect(r.notifier.shown.map((notice) => [notice.title, notice.urgent])).toEqual([
        [`Guard breach: ${FLAG} (local)`, false],
        [`Guards tripped: ${FLAG} (local)`, true]
      ])
      expect(r.context.services.history.verify().ok).toBe(true)
    }
  )

  it('records that nobody was notified when no desktop and no page could show it', async () => {
    const r = await rig({ notifier: false })
    r.supervisor.start()
    await until(() => r.watch()?.state === 'watching')
    r.window(0, FAILING)
    r.window(1, HEALTHY)
    await until(() => r.events().some((event) => event.kind === 'notification'))
    expect(r.events().find((event) => event.kind === 'notification')).toMatchObject({
      outcome: 'nobody_notified',
      detail: { level: 'breach', notified: [], desktop: 'none (browser mode)', consolePages: 0 }
    })
  })

  it('leaves a disabled flag alone and starts watching once it is enabled', async () => {
    const r = await rig({
      envText: seedEnvText(25).replace('FEATURE_UNIFIED_LLM_HUB=true', 'FEATURE_UNIFIED_LLM_HUB=false')
    })
    r.supervisor.start()
    await until(() => r.watch()?.state === 'idle')
    expect(r.watch()).toMatchObject({ message: 'disabled: nobody is exposed', attention: 'ok' })
    workspace!.writeEnv(seedEnvText(25))
    await until(() => r.watch()?.state === 'watching')
  })

  it('shows a watch another process holds, with its holder, and takes over once it is free', async () => {
    const r = await rig()
    const lockPath = `${r.context.services.store.path}.guards-watch.local.${FLAG}.lock`
    const holder = { actor: 'bob', pid: process.pid, host: hostname(), since: new Date().toISOString(), token: 'bob' }
    writeFileSync(lockPath, JSON.stringify(holder))
    r.supervisor.start()
    await until(() => r.watch()?.state === 'held_elsewhere')
    expect(r.watch()).toMatchObject({
      message: `watched by bob (pid ${process.pid} on ${hostname()})`,
      holder: { actor: 'bob', pid: process.pid },
      attention: 'ok'
    })
    rmSync(lockPath)
    await until(() => r.watch()?.state === 'watching')
  })

  it('gives a page a snapshot, then each change, and the worst state as a title', async () => {
    const r = await rig()
    const notices: SupervisionNotice[] = []
    const unsubscribe = r.supervisor.subscribe((notice) => notices.push(notice))
    expect(notices[0]).toEqual({
      kind: 'snapshot',
      watches: [],
      summary: { worst: 'ok', title: 'All guards quiet' },
      recent: []
    })
    r.supervisor.start()
    await until(() => r.watch()?.state === 'watching')
    r.window(0, FAILING)
    r.window(1, HEALTHY)
    await until(() => notices.some((notice) => notice.kind === 'attention'))
    expect(notices.filter((notice) => notice.kind === 'window')).toHaveLength(1)
    const lastWatch = notices.filter((notice) => notice.kind === 'watch').at(-1)
    expect(lastWatch).toMatchObject({
      watch: { attention: 'breach' },
      summary: { worst: 'breach', title: `BREACH ${FLAG} (local)` }
    })
    const attention = notices.find((notice) => notice.kind === 'attention')
    expect(attention).toMatchObject({ attention: { level: 'breach', flag: FLAG, environment: 'local' } })
    expect(r.events().find((event) => event.kind === 'notification')?.detail).toMatchObject({ consolePages: 1 })
    unsubscribe()
  })
})

/** Waits (without a clock) until the supervision's asynchronous work has caught up. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 2000 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(condition()).toBe(true)
}
