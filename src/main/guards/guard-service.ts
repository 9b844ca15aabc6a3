import type { FlagStateUnreadableDetail, LockHeldDetail } from '@shared/error-details'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { GuardWindowRecord } from '@shared/history-types'
import type { GuardSettingsView } from '@shared/rollout-watch-types'
import { guardThresholdsOf, GuardSettingsSchema, type GuardSettings } from '@shared/schemas/guard-settings'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { HistoryStore } from '@main/history/history-store'
import { LockFile, type LockAttempt } from '@main/platform/lock-file'
import type { GuardWindow } from './core/guard-engine'
import { parseLogSince } from '@main/docker/core/log-since'
import { parseOrBadInput } from '@main/platform/input-validation'
import type { Clock } from '@main/platform/clock'
import type { EnvironmentHandle, EnvironmentRegistry } from '@main/flags/environment-registry'
import { GuardWatcher, type GuardLineSource, type GuardTrip, type GuardWatchReport, type Ticker } from './guard-watcher'
import type { LogService } from '@main/docker/log-service'
import { restartFollowingLineSource } from './restart-following-line-source'
import { resolvePrometheusQueries } from './core/prometheus-window'
import { MetricsGuardWatcher } from './metrics-guard-watcher'
import { metricsProviderFor, type MetricsProvider } from './metrics-provider'

export interface GuardWatchRequest {
  environment?: string
  flag: string
  /** The container whose log is judged; default the environment's service.container. */
  container?: string
  /** ISO 8601 instant, Unix seconds or a duration back from now: also judge lines since then. Default: from now on. */
  since?: string
  /** Settings over the environment's guards (a --guards file is a full set of them). */
  overrides?: Partial<GuardSettings>
  /**
   * Attribute events without `flags` with this state, fixed. Without it, the source's state,
   * re-read after each window.
   */
  flagState?: FlagState
}

export interface GuardWatchHooks {
  /** Each decided window, after it is stored. */
  onWindow?: (window: GuardWindow, record: GuardWindowRecord) => void | Promise<void>
  /** A trip, after its window and guard_trip event are stored. */
  onTrip?: (trip: GuardTrip) => void | Promise<void>
  /** The container restarted and its log is followed again. */
  onRefollow?: (notice: { container: string; startedAt: string }) => void
  /** The watch lock is taken and lines are about to be read: only now is the flag really watched. */
  onStarted?: () => void | Promise<void>
}

/** What a watch judges, resolved before any line is read. */
export interface GuardWatchPlan {
  environment: string
  flag: string
  container: string
  /** What is judged, for messages: `the log of <container>` or `Prometheus at <url>`. */
  origin: string
  since: string | undefined
  startMs: number
  settings: GuardSettingsView
}

export interface GuardServiceDeps {
  environments: EnvironmentRegistry
  logs: LogService
  docker: { forEnvironment(name: string | undefined): DockerEngine }
  /** Its path names the watch lock, one per history file. */
  history: Pick<HistoryStore, 'path' | 'events' | 'guardWindows'>
  clock: Clock
  /** Who holds the watch lock, as shown to a second watcher. */
  actor: string
  ticker?: Ticker
  /** Where lines come from; default the container's log, followed across restarts. Tests give their own. */
  lineSource?: (
    plan: GuardWatchPlan,
    onRefollow: (notice: { container: string; startedAt: string }) => void
  ) => GuardLineSource
  /** How long a stopped service container may take to run again before the watch ends. */
  restartWaitMs?: number
  /** Where a metrics source's token reference is resolved; default process.env. */
  env?: Readonly<Record<string, string | undefined>>
}

/** A long watch holds its lock for hours; only a dead holder on this machine (or a week) frees it. */
const WATCH_LOCK_STALE_MS = 7 * 24 * 3600 * 1000

/**
 * Live guards for one flag of one environment, set up the same way for `guards watch` and the
 * rollout orchestration (`rollout watch`, main's supervision): the environment's guard settings with
 * overrides, the flag state from its source (re-read after every window and on request, so a
 * move is followed), the service container's log followed across restarts, every window stored.
 * One watch per flag, environment and history file at a time, so no window is stored twice.
 */
export class GuardService {
  constructor(private readonly deps: GuardServiceDeps) {}

  /** Resolves settings and reads the flag state; fails before anything is watched. */
  async prepare(request: GuardWatchRequest, hooks: GuardWatchHooks = {}): Promise<LiveGuardWatch> {
    const handle = this.deps.environments.get(request.environment)
    // A fixed flag state (guards watch --flag-config) may judge a flag the workspace does not declare.
    if (request.flagState === undefined) this.deps.environments.requireFlag(handle, request.flag)
    const settings = mergeSettings(handle, request.overrides)
    const now = this.deps.clock.now()
    const container = request.container ?? handle.config.service.container
    // An explicit container (guards watch --container) means its log, whatever the environment's source.
    const metrics =
      request.container === undefined
        ? metricsProviderFor(handle.name, handle.config.guards, this.deps.env ?? process.env)
        : null
    const plan: GuardWatchPlan = {
      environment: handle.name,
      flag: request.flag,
      container,
      origin: metrics === null ? `the log of ${container}` : metrics.origin,
      since: request.since,
      startMs: request.since === undefined ? now.getTime() : parseLogSince(request.since, now).getTime(),
      settings
    }
    const flagState = request.flagState ?? (await readFlagState(handle, request.flag))
    return new LiveGuardWatch({
      plan,
      metrics,
      handle,
      flagState,
      fixedFlagState: request.flagState !== undefined,
      hooks,
      deps: this.deps,
      lockPath: `${this.deps.history.path}.guards-watch.${handle.name}.${request.flag}.lock`
    })
  }

  async watch(request: GuardWatchRequest, hooks: GuardWatchHooks, signal: AbortSignal): Promise<GuardWatchReport> {
    return (await this.prepare(request, hooks)).run(signal)
  }
}

/** One prepared watch: run it once; refresh its flag state whenever the rollout moves. */
export class LiveGuardWatch {
  readonly plan: GuardWatchPlan
  private readonly watcher: GuardWatcher
  private readonly metricsWatcher: MetricsGuardWatcher | null

  constructor(
    private readonly setup: {
      plan: GuardWatchPlan
      /** The environment's metrics server, or null: windows from the service's log. */
      metrics: MetricsProvider | null
      handle: EnvironmentHandle
      flagState: FlagState
      fixedFlagState: boolean
      hooks: GuardWatchHooks
      deps: GuardServiceDeps
      lockPath: string
    }
  ) {
    this.plan = setup.plan
    const { plan, deps, hooks } = setup
    const { lateness_seconds: latenessSeconds, action, ...thresholds } = plan.settings
    const guards = setup.handle.config.guards
    this.metricsWatcher =
      setup.metrics === null
        ? null
        : new MetricsGuardWatcher({
            provider: setup.metrics,
            queries: resolvePrometheusQueries(guards.queries),
            flag: plan.flag,
            environment: plan.environment,
            settings: { ...thresholds, action },
            latenessSeconds,
            startMs: plan.startMs,
            history: deps.history,
            clock: deps.clock,
            ...(hooks.onWindow === undefined ? {} : { onWindow: hooks.onWindow }),
            ...(hooks.onTrip === undefined ? {} : { onTrip: hooks.onTrip })
          })
    this.watcher = new GuardWatcher({
      flag: plan.flag,
      environment: plan.environment,
      flagState: setup.flagState,
      flagRules: setup.handle.flagSource.rules,
      settings: { ...thresholds, action },
      latenessSeconds,
      startMs: plan.startMs,
      history: deps.history,
      clock: deps.clock,
      ...(deps.ticker === undefined ? {} : { ticker: deps.ticker }),
      onWindow: async (window, record) => {
        // A rollout may have moved: events without "flags" must be judged by today's state.
        await this.refreshFlagState()
        await hooks.onWindow?.(window, record)
      },
      ...(hooks.onTrip === undefined ? {} : { onTrip: hooks.onTrip })
    })
  }

  get counts(): GuardWatchReport['counts'] {
    return { ...this.watcher.counts }
  }

  /** Re-reads the flag state from its source (not when it was fixed). An unreadable source keeps the last state. */
  async refreshFlagState(): Promise<void> {
    if (this.setup.fixedFlagState) return
    try {
      this.watcher.setFlagState((await this.setup.handle.flagSource.read(this.plan.flag)).state)
    } catch {
      // Briefly unreadable (a file being replaced, an API restarting): keep judging with the last state read.
    }
  }

  /**
   * Watches until the log ends for good or `signal` aborts; refused while another watch of this
   * flag stores windows in the same history file.
   */
  async run(signal: AbortSignal): Promise<GuardWatchReport> {
    const { plan, deps, hooks } = this.setup
    const release = await this.takeWatchLock()
    try {
      await hooks.onStarted?.()
      if (this.metricsWatcher !== null) return await this.metricsWatcher.run(signal)
      const onRefollow = (notice: { container: string; startedAt: string }): void => {
        hooks.onRefollow?.(notice)
      }
      const source =
        deps.lineSource?.(plan, onRefollow) ??
        restartFollowingLineSource(
          { logs: deps.logs, engine: deps.docker.forEnvironment(plan.environment) },
          {
            environment: plan.environment,
            container: plan.container,
            ...(plan.since === undefined ? {} : { since: plan.since }),
            ...(deps.restartWaitMs === undefined ? {} : { restartWaitMs: deps.restartWaitMs }),
            onRefollow
          }
        )
      return await this.watcher.run(source, signal)
    } finally {
      await release()
    }
  }

  private async takeWatchLock(): Promise<() => Promise<void>> {
    const { plan, deps, lockPath } = this.setup
    const lock = new LockFile(lockPath, { staleMs: WATCH_LOCK_STALE_MS })
    let attempt: LockAttempt
    try {
      attempt = await lock.tryAcquire(deps.actor)
    } catch (error) {
      throw new RampartError(
        'failed',
        `cannot take the guard watch lock ${lockPath}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
    if (attempt.acquired) return attempt.release
    const holder = attempt.holder
    const who =
      holder === null
        ? 'another Rampart'
        : `${holder.actor} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
    throw new RampartError(
      'conflict',
      `the guards of ${plan.flag} in ${plan.environment} are already being watched by ${who}, ` +
        `storing every window in ${deps.history.path}; a second watch would store each window twice. ` +
        `Follow that watch instead, or stop it first (lock file ${lockPath})`,
      { lockHolder: holder } satisfies LockHeldDetail
    )
  }
}

/** The environment's guards with the overrides on top, validated as the workspace file is. */
function mergeSettings(handle: EnvironmentHandle, overrides: Partial<GuardSettings> | undefined): GuardSettingsView {
  // The source's own fields (url, token, queries) are not judging settings.
  const { source: _source, url: _url, token: _token, queries: _queries, ...judging } = handle.config.guards
  const merged: Record<string, unknown> = { ...judging }
  for (const [field, value] of Object.entries(overrides ?? {})) if (value !== undefined) merged[field] = value
  const settings = parseOrBadInput(
    GuardSettingsSchema,
    merged,
    `guard settings for environment "${handle.name}" with the overrides given are not valid`
  )
  return {
    ...guardThresholdsOf(settings),
    lateness_seconds: settings.lateness_seconds ?? settings.window_seconds,
    action: settings.action
  }
}

async function readFlagState(handle: EnvironmentHandle, flag: string): Promise<FlagState> {
  try {
    return (await handle.flagSource.read(flag)).state
  } catch (error) {
    if (!(error instanceof RampartError)) throw error
    throw new RampartError(
      error.code,
      `reading flag ${flag} of environment "${handle.name}" from ${handle.flagOrigin}, ` +
        `to attribute events that carry no "flags": ${error.message}`,
      {
        ...(typeof error.detail === 'object' && error.detail !== null ? error.detail : {}),
        flagStateUnreadable: true
      } satisfies FlagStateUnreadableDetail
    )
  }
}
