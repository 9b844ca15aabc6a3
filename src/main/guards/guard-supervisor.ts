import { detailOf, type LockHeldDetail, type LockHolder } from '@shared/error-details'
import { RampartError } from '@shared/errors'
import type { GuardWindowRecord } from '@shared/history-types'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import type {
  Attention,
  AttentionLevel,
  FlagWatchView,
  SupervisionNotice,
  SupervisionSummary
} from '@shared/supervision-types'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import type { Clock } from '@main/platform/clock'
import type { AttentionService } from './attention'
import { supervisionSummary } from './core/supervision-summary'
import type { RolloutOrchestrator } from './rollout-orchestrator'

type ActionNotice = Extract<RolloutWatchNotice, { kind: 'action' }>

export interface GuardSupervisorDeps {
  environments: Pick<EnvironmentRegistry, 'names' | 'get'>
  orchestrator: Pick<RolloutOrchestrator, 'watch'>
  attention: Pick<AttentionService, 'raise' | 'recent'>
  clock: Clock
  /** How often each flag's state is read to start or stop its watch. */
  pollMs?: number
  /** How long a watch that could not run (held elsewhere, failed) waits before it is tried again. */
  retryMs?: number
}

/** One flag under supervision: what it shows, and the watch running for it in this process. */
interface Supervised {
  view: FlagWatchView
  running: AbortController | null
  retryAtMs: number
  lastActionFailed: boolean
}

const DEFAULT_POLL_MS = 5_000
const DEFAULT_RETRY_MS = 10_000

/**
 * Main's guard supervision, as a controller rather than a screen: while the app or `rampart serve`
 * runs, every enabled flag of every environment is watched (one watch per flag across processes,
 * through the watch lock), whatever page is open and whether or not any is; a trip takes the
 * environment's action through the rollout orchestrator, and a breach, a trip or a failed action
 * is raised for attention. Pages only subscribe.
 */
export class GuardSupervisor {
  private readonly supervised = new Map<string, Supervised>()
  private readonly listeners = new Set<(notice: SupervisionNotice) => void>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private ticking: Promise<void> | null = null
  private stopped = true

  constructor(private readonly deps: GuardSupervisorDeps) {}

  /** Starts supervising at once; returns the function that stops every watch it runs. */
  start(): () => Promise<void> {
    if (!this.stopped) return () => this.stop()
    this.stopped = false
    this.schedule(0)
    return () => this.stop()
  }

  /** Aborts every watch at once (a watch releases its lock as it ends), then waits for a tick under way. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    for (const entry of this.supervised.values()) entry.running?.abort()
    await this.ticking
  }

  /** Reads every flag once and starts or stops watches accordingly (the loop calls it; tests may too). */
  async tick(): Promise<void> {
    for (const environment of this.deps.environments.names()) {
      const handle = this.deps.environments.get(environment)
      for (const flag of handle.config.flags) await this.supervise(environment, flag)
    }
  }

  subscribe(listener: (notice: SupervisionNotice) => void): () => void {
    this.listeners.add(listener)
    listener({
      kind: 'snapshot',
      watches: this.watches(),
      summary: this.summary(),
      recent: this.deps.attention.recent()
    })
    return () => this.listeners.delete(listener)
  }

  watches(): FlagWatchView[] {
    return [...this.supervised.values()].map((entry) => entry.view)
  }

  summary(): SupervisionSummary {
    return supervisionSummary(this.watches())
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch(() => undefined)
        .finally(() => {
          this.ticking = null
          this.schedule(this.deps.pollMs ?? DEFAULT_POLL_MS)
        })
    }, delayMs)
  }

  private async supervise(environment: string, flag: string): Promise<void> {
    const entry = this.entry(environment, flag)
    let enabled: boolean
    try {
      enabled = (await this.deps.environments.get(environment).flagSource.read(flag)).state.enabled
    } catch (error) {
      if (entry.running === null)
        this.update(entry, { state: 'failed', message: `cannot read the flag: ${messageOf(error)}` })
      return
    }
    if (!enabled) {
      entry.running?.abort()
      entry.running = null
      entry.lastActionFailed = false
      if (entry.view.state !== 'idle') this.update(entry, { state: 'idle', message: 'disabled: nobody is exposed' })
      return
    }
    if (entry.running === null && !this.stopped && this.deps.clock.now().getTime() >= entry.retryAtMs) {
      this.startWatch(entry)
    }
  }

  private startWatch(entry: Supervised): void {
    const { environment, flag } = entry.view
    const controller = new AbortController()
    entry.running = controller
    this.update(entry, { state: 'starting', message: 'starting the watch', holder: null })
    const ended = (view: Partial<FlagWatchView>): void => {
      if (entry.running !== controller) return
      entry.running = null
      entry.retryAtMs = this.deps.clock.now().getTime() + (this.deps.retryMs ?? DEFAULT_RETRY_MS)
      this.update(entry, view)
    }
    void this.deps.orchestrator
      .watch({ environment, flag }, (notice) => this.onNotice(entry, notice), controller.signal)
      .then(
        (summary) =>
          ended({ state: 'failed', message: `the watch ended (${summary.reason}); it starts again shortly` }),
        (error: unknown) => ended(endedView(error))
      )
  }

  private onNotice(entry: Supervised, notice: RolloutWatchNotice): void {
    const { environment, flag } = entry.view
    switch (notice.kind) {
      case 'watching':
        this.update(entry, {
          state: 'watching',
          message: `watching ${notice.origin}`,
          container: notice.container,
          settings: notice.settings,
          holder: null
        })
        return
      case 'window':
        return this.onWindow(entry, notice.window)
      case 'action':
        entry.lastActionFailed = notice.outcome === 'failed'
        this.publish({ kind: 'action', environment, flag, action: notice })
        if (notice.outcome === 'failed') this.raiseFailedAction(entry, notice)
        this.update(entry, {})
        return
      case 'followed':
      case 'stopped':
        return
    }
  }

  private onWindow(entry: Supervised, window: GuardWindowRecord): void {
    const { environment, flag } = entry.view
    const previous = entry.view.latestWindow?.decision
    if (window.decision === 'pass') entry.lastActionFailed = false
    this.update(entry, { latestWindow: window })
    this.publish({ kind: 'window', environment, flag, window })
    // Once per streak: a breach after a non-breach, a trip after a non-trip.
    if (window.decision === 'breach' && previous !== 'breach') {
      this.raise(entry, 'breach', `Guard breach: ${flag} (${environment})`, reasonsOf(window), null)
    } else if (window.decision === 'trip' && previous !== 'trip') {
      const action = entry.view.settings?.action ?? 'rollback'
      this.raise(
        entry,
        'trip',
        `Guards tripped: ${flag} (${environment})`,
        `${reasonsOf(window)}; action: ${action}`,
        null
      )
    }
  }

  private raiseFailedAction(entry: Supervised, notice: ActionNotice): void {
    const { environment, flag } = entry.view
    this.raise(
      entry,
      'action_failed',
      `Automatic ${notice.action} failed: ${flag} (${environment})`,
      notice.message,
      notice.tripEventSeq
    )
  }

  private raise(
    entry: Supervised,
    level: Attention['level'],
    title: string,
    body: string,
    subjectSeq: number | null
  ): void {
    const { environment, flag } = entry.view
    const attention = this.deps.attention.raise({
      level,
      environment,
      flag,
      title,
      body,
      subjectSeq,
      consolePages: this.listeners.size
    })
    this.publish({ kind: 'attention', attention })
  }

  private entry(environment: string, flag: string): Supervised {
    const key = `${environment}\u0000${flag}`
    const known = this.supervised.get(key)
    if (known !== undefined) return known
    const created: Supervised = {
      view: {
        environment,
        flag,
        state: 'starting',
        message: 'reading the flag',
        since: this.deps.clock.now().toISOString(),
        holder: null,
        container: null,
        settings: null,
        latestWindow: null,
        attention: 'ok'
      },
      running: null,
      retryAtMs: 0,
      lastActionFailed: false
    }
    this.supervised.set(key, created)
    return created
  }

  private update(entry: Supervised, change: Partial<FlagWatchView>): void {
    const stateChanged = change.state !== undefined && change.state !== entry.view.state
    const next: FlagWatchView = {
      ...entry.view,
      ...change,
      since: stateChanged ? this.deps.clock.now().toISOString() : entry.view.since
    }
    entry.view = { ...next, attention: attentionOf(next, entry.lastActionFailed) }
    this.publish({ kind: 'watch', watch: entry.view, summary: this.summary() })
  }

  private publish(notice: SupervisionNotice): void {
    for (const listener of this.listeners) listener(notice)
  }
}

/** The flag's own level: a failed action first, then its latest window, then whether anyone watches it. */
function attentionOf(view: FlagWatchView, lastActionFailed: boolean): AttentionLevel {
  if (view.state === 'idle') return 'ok'
  if (lastActionFailed) return 'action_failed'
  if (view.latestWindow?.decision === 'trip') return 'trip'
  if (view.latestWindow?.decision === 'breach') return 'breach'
  return view.state === 'failed' ? 'unwatched' : 'ok'
}

function endedView(error: unknown): Partial<FlagWatchView> {
  if (error instanceof RampartError && error.code === 'conflict') {
    const raw = detailOf<LockHeldDetail>(error.toContractError())?.lockHolder
    const holder = isLockHolder(raw) ? raw : null
    const who = holder === null ? 'another Rampart' : `${holder.actor} (pid ${holder.pid} on ${holder.host})`
    return { state: 'held_elsewhere', message: `watched by ${who}`, holder }
  }
  return { state: 'failed', message: `${messageOf(error)}; tried again shortly` }
}

function isLockHolder(value: unknown): value is LockHolder {
  const holder = value as Partial<LockHolder> | null
  return (
    typeof holder?.actor === 'string' &&
    typeof holder.pid === 'number' &&
    typeof holder.host === 'string' &&
    typeof holder.since === 'string'
  )
}

function reasonsOf(window: GuardWindowRecord): string {
  const figures = window.figures as { reasons?: unknown } | null
  const reasons = Array.isArray(figures?.reasons) ? (figures.reasons as unknown[]).map(String) : []
  return reasons.length > 0 ? reasons.join('; ') : `window from ${window.windowStart}`
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
