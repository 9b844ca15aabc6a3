import { setTimeout as sleep } from 'node:timers/promises'
import { RampartError } from '@shared/errors'
import type { RollbackEmergencyInput } from '@shared/runbook-operation-inputs'
import type { EmergencyRollbackOutcome } from '@shared/runbook-types'
import type { RolloutWatchInput } from '@shared/guard-watch-inputs'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import type { GuardService, GuardWatchPlan, LiveGuardWatch } from './guard-service'
import type { GuardTrip } from './guard-watcher'
import type { AppliedMoves } from '@main/rollouts/applied-moves'
import { AUTOMATIC_ACTOR } from '@main/platform/operator'

type ActionNotice = Extract<RolloutWatchNotice, { kind: 'action' }>

export interface RolloutWatchSummary {
  windows: number
  trips: number
  actions: ActionNotice[]
  reason: Extract<RolloutWatchNotice, { kind: 'stopped' }>['reason']
}

export interface RolloutOrchestratorDeps {
  /** Moves planned, recorded and applied to the running service (the automatic rollback goes through them). */
  moves: Pick<AppliedMoves, 'move'>
  guards: GuardService
  environments: Pick<EnvironmentRegistry, 'get'>
  /** The emergency rollback runbook, for the `kill` action; without it, kill is the rollout service's kill move. */
  emergencyRollback?: { run(request: RollbackEmergencyInput): Promise<EmergencyRollbackOutcome> }
  /** How long an automatic move retries while another move holds the lock (an operator's write takes milliseconds). */
  lockRetryMs?: number
}

const LOCK_RETRY_INTERVAL_MS = 250
const DEFAULT_LOCK_RETRY_MS = 10_000

/**
 * Guarded rollouts: while a watch runs (the console subscribed, or `rampart rollout watch`), the flag's
 * guards are judged live window by window, and a trip takes the environment's action at once,
 * as `rampart`: roll back to 0 % (the default), kill through the emergency rollback, or only
 * alert. Holds never act; a trip stays on record in its phase and blocks advancing there.
 */
export class RolloutOrchestrator {
  constructor(private readonly deps: RolloutOrchestratorDeps) {}

  /**
   * Watches until `signal` aborts, `windows` windows are decided, or the service's log ends for
   * good. Notices go to `onNotice` in order: watching, then windows, actions and re-follows, then
   * stopped. An action that fails is reported and the watch goes on.
   */
  async watch(
    request: RolloutWatchInput,
    onNotice: (notice: RolloutWatchNotice) => void | Promise<void>,
    signal: AbortSignal
  ): Promise<RolloutWatchSummary> {
    const stop = new AbortController()
    const forward = (): void => stop.abort()
    if (signal.aborted) stop.abort()
    signal.addEventListener('abort', forward, { once: true })
    let windows = 0
    let trips = 0
    let limitReached = false
    const actions: ActionNotice[] = []
    // Notices from the log follower arrive outside the window sequence; chained so order holds.
    let followed: Promise<void> = Promise.resolve()
    try {
      const live: LiveGuardWatch = await this.deps.guards.prepare(
        { environment: request.environment, flag: request.flag },
        {
          onWindow: async (_window, record) => {
            windows += 1
            await onNotice({ kind: 'window', window: record })
            if (request.windows !== undefined && windows >= request.windows) {
              limitReached = true
              stop.abort()
            }
          },
          onTrip: async (trip) => {
            trips += 1
            const notice = await this.act(trip, live.plan)
            actions.push(notice)
            // The move changed who is in treatment: judge events without "flags" by the new state at once.
            await live.refreshFlagState()
            await onNotice(notice)
          },
          onRefollow: (notice) => {
            followed = followed.then(() => onNotice({ kind: 'followed', ...notice })).catch(() => undefined)
          },
          // Announced once the watch lock is taken: a watch refused because another holds it never said "watching".
          onStarted: async () => {
            const { plan } = live
            await onNotice({
              kind: 'watching',
              environment: plan.environment,
              flag: plan.flag,
              container: plan.container,
              origin: plan.origin,
              settings: plan.settings
            })
          }
        }
      )
      const report = await live.run(stop.signal)
      await followed
      const reason = limitReached ? 'window_limit' : report.stopped
      await onNotice({ kind: 'stopped', windows, trips, reason })
      return { windows, trips, actions, reason }
    } finally {
      signal.removeEventListener('abort', forward)
    }
  }

  /** The environment's action for a trip. Never throws: a failed action is reported and the watch goes on. */
  private async act(trip: GuardTrip, plan: GuardWatchPlan): Promise<ActionNotice> {
    const reason = `guard trip: ${trip.window.reasons.join('; ')}`
    const base = { kind: 'action' as const, action: trip.action, tripEventSeq: trip.event.seq }
    try {
      switch (trip.action) {
        case 'alert':
          return {
            ...base,
            outcome: 'recorded',
            message:
              `guard trip recorded as event #${trip.event.seq}; ` +
              "the environment's action is alert, so nothing was moved",
            eventSeq: null,
            service: null
          }
        case 'rollback':
          return await this.automaticMove(plan, 'rollback', reason, base)
        case 'kill':
          return this.deps.emergencyRollback === undefined
            ? await this.automaticMove(plan, 'kill', reason, base)
            : await this.emergencyKill(plan, reason, base)
      }
    } catch (error) {
      return {
        ...base,
        outcome: 'failed',
        message: error instanceof Error ? error.message : String(error),
        eventSeq: null,
        service: null
      }
    }
  }

  /**
   * Rollback or kill as `rampart`, from the state just read
   * (a hand edit is recorded as drift, not a reason to stay exposed).
   */
  private async automaticMove(
    plan: GuardWatchPlan,
    move: 'rollback' | 'kill',
    reason: string,
    base: Pick<ActionNotice, 'kind' | 'action' | 'tripEventSeq'>
  ): Promise<ActionNotice> {
    const handle = this.deps.environments.get(plan.environment)
    const deadline = Date.now() + (this.deps.lockRetryMs ?? DEFAULT_LOCK_RETRY_MS)
    for (;;) {
      const state = (await handle.flagSource.read(plan.flag, { forKill: move === 'kill' })).state
      if (!state.enabled)
        return {
          ...base,
          outcome: 'skipped',
          message: `${plan.flag} is disabled: nobody is exposed, nothing to ${move === 'kill' ? 'kill' : 'roll back'}`,
          eventSeq: null,
          service: null
        }
      if (move === 'rollback' && state.rollout_percentage === 0) {
        return {
          ...base,
          outcome: 'skipped',
          message: `${plan.flag} is already at 0 % (whitelisted users only); nothing to roll back`,
          eventSeq: null,
          service: null
        }
      }
      try {
        const result = await this.deps.moves.move({
          environment: plan.environment,
          flag: plan.flag,
          move,
          reason,
          expected: state,
          actor: AUTOMATIC_ACTOR
        })
        const to = move === 'kill' ? 'disabled' : '0 %'
        return {
          ...base,
          outcome: 'applied',
          message:
            `${plan.flag} ${move === 'kill' ? 'killed' : 'rolled back'}: ${state.rollout_percentage} % -> ${to} ` +
            `(event #${result.event.seq}); ${result.service.message}`,
          eventSeq: result.event.seq,
          service: result.service
        }
      } catch (error) {
        // Another move holds the lock, or the state changed between the read and the write: read again.
        if (!(error instanceof RampartError) || error.code !== 'conflict' || Date.now() >= deadline) throw error
        await sleep(LOCK_RETRY_INTERVAL_MS)
      }
    }
  }

  private async emergencyKill(
    plan: GuardWatchPlan,
    reason: string,
    base: Pick<ActionNotice, 'kind' | 'action' | 'tripEventSeq'>
  ): Promise<ActionNotice> {
    const outcome = await this.deps.emergencyRollback!.run({ environment: plan.environment, flag: plan.flag, reason })
    const { result, run } = outcome
    if (result.alreadyDisabled) {
      return {
        ...base,
        outcome: 'skipped',
        message: `${plan.flag} was already disabled; emergency rollback run #${run.id} verified the service`,
        eventSeq: null,
        service: null
      }
    }
    return {
      ...base,
      outcome: 'applied',
      message:
        `${plan.flag} killed by emergency rollback run #${run.id}: ` +
        `safe ${result.timeToSafeMs} ms after the intent (${result.healthCheck})`,
      eventSeq: null,
      service: {
        outcome: result.restarted ? 'restarted' : 'not_needed',
        container: result.restarted ? this.deps.environments.get(plan.environment).config.service.container : null,
        message: result.restarted ? `restarted and verified by run #${run.id}` : `no restart needed (run #${run.id})`,
        durationMs: result.timeToSafeMs
      }
    }
  }
}
