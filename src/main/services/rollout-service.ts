import { RampartError } from '../../shared/errors'
import { FlagStateSchema, type FlagState } from '../../shared/flag-state'
import type { RolloutMove } from '../../shared/rollout-types'
import type { GuardStatusView, MoveOption, RolloutMoveResult, RolloutStatusView } from '../../shared/views'
import { summarizeGuardWindows } from '../core/guard-status'
import { allowedMoves, differingFields, planMove, type GuardSnapshot, type MoveRefusal } from '../core/rollout-phase-machine'
import type { HistoryStore } from '../adapters/history-store'
import type { FlagSnapshot } from '../adapters/flag-source'
import type { Clock } from './clock'
import type { EnvironmentHandle, EnvironmentRegistry } from './environment-registry'
import { positionView } from './flag-service'

export interface RolloutMoveRequest {
  environment?: string
  flag: string
  move: RolloutMove
  reason: string
  confirmation?: string
  /** The state the operator was looking at; when absent, the state last recorded in history. */
  expected?: FlagState
}

/** What history remembers of a rollout between moves. */
interface RolloutMemory {
  state: FlagState
  phaseEnteredAt: string | null
}

const RECENT_EVENTS = 20

/**
 * The release owner's use cases: where a rollout stands, and the four moves. Every move re-reads
 * the source, is planned by the phase machine, written with a revision check, and recorded.
 */
export class RolloutService {
  constructor(
    private readonly deps: {
      environments: EnvironmentRegistry
      history: HistoryStore
      clock: Clock
      actor: string
    }
  ) {}

  async status(environment: string | undefined, flag: string): Promise<RolloutStatusView> {
    const handle = this.flagEnvironment(environment, flag)
    const snapshot = await handle.flagSource.read(flag)
    const memory = this.memory(handle.name, flag)
    const phaseEnteredAt = sameState(memory?.state, snapshot.state) ? (memory?.phaseEnteredAt ?? null) : null
    const guard = this.guardSnapshot(handle.name, flag, phaseEnteredAt)
    return {
      environment: handle.name,
      flag,
      protected: handle.config.protected,
      state: snapshot.state,
      position: positionView(snapshot.state.rollout_percentage),
      options: this.options(handle, flag, snapshot.state, guard, phaseEnteredAt),
      guard: guardView(guard, this.lastWindowAt(handle.name, flag)),
      phaseEnteredAt,
      minSoakSeconds: handle.config.rollout.min_soak_seconds,
      recentEvents: this.deps.history.listEvents({ flag, environment: handle.name, newest: RECENT_EVENTS })
    }
  }

  async move(request: RolloutMoveRequest): Promise<RolloutMoveResult> {
    const handle = this.flagEnvironment(request.environment, request.flag)
    const snapshot = await handle.flagSource.read(request.flag)
    const memory = this.memory(handle.name, request.flag)
    const phaseEnteredAt = sameState(memory?.state, snapshot.state) ? (memory?.phaseEnteredAt ?? null) : null
    const guard = this.guardSnapshot(handle.name, request.flag, phaseEnteredAt)
    const now = this.deps.clock.now()

    const plan = planMove({
      flag: request.flag,
      move: request.move,
      current: snapshot.state,
      expected: request.expected ?? memory?.state,
      reason: request.reason,
      confirmation: request.confirmation,
      guard,
      phaseEnteredAtEpochMs: phaseEnteredAt === null ? null : Date.parse(phaseEnteredAt),
      minSoakSeconds: handle.config.rollout.min_soak_seconds,
      nowEpochMs: now.getTime()
    })
    if (!plan.ok) throw this.refuse(handle, request, snapshot, plan, guard)

    let written: FlagSnapshot
    try {
      written = await handle.flagSource.write(request.flag, plan.patch, snapshot.revision)
    } catch (error) {
      this.recordFailedWrite(handle, request, plan.from, error, guard)
      throw error
    }
    const event = this.deps.history.appendEvent({
      kind: request.move === 'kill' ? 'kill' : request.move === 'rollback' ? 'rollback' : 'phase_move',
      actor: this.deps.actor,
      flag: request.flag,
      environment: handle.name,
      reason: plan.reason,
      fromState: plan.from,
      toState: written.state,
      guardSnapshot: guard,
      outcome: 'applied',
      detail: { move: request.move, source: handle.flagSource.kind, origin: written.origin }
    })
    this.remember(handle.name, request.flag, { state: written.state, phaseEnteredAt: now.toISOString() })
    return { state: written.state, event }
  }

  /** Records why a move was refused (and any drift it revealed), then builds the error for the caller. */
  private refuse(
    handle: EnvironmentHandle,
    request: RolloutMoveRequest,
    snapshot: FlagSnapshot,
    plan: MoveRefusal,
    guard: GuardSnapshot
  ): RampartError {
    const base = { actor: this.deps.actor, flag: request.flag, environment: handle.name, guardSnapshot: guard }
    if (plan.code === 'conflict' && plan.conflict) {
      this.deps.history.appendEvent({
        ...base,
        kind: 'drift',
        reason: `state changed outside this ${request.expected ? 'view' : 'console'}: ${plan.conflict.fields.join(', ')}`,
        fromState: plan.conflict.expected,
        toState: plan.conflict.current,
        outcome: 'refused',
        detail: { move: request.move, fields: plan.conflict.fields, origin: snapshot.origin }
      })
      // The drift is now on record and shown; the next decision starts from what is really there.
      this.remember(handle.name, request.flag, { state: snapshot.state, phaseEnteredAt: null })
      return new RampartError('conflict', plan.message, { expected: plan.conflict.expected, current: plan.conflict.current, fields: plan.conflict.fields })
    }
    this.deps.history.appendEvent({
      ...base,
      kind: 'refused',
      reason: request.reason.trim() === '' ? null : request.reason.trim(),
      fromState: snapshot.state,
      outcome: 'refused',
      detail: { move: request.move, message: plan.message, unmet: plan.unmet ?? [] }
    })
    return new RampartError(plan.code, plan.message, { unmet: plan.unmet ?? [] })
  }

  private recordFailedWrite(
    handle: EnvironmentHandle,
    request: RolloutMoveRequest,
    from: FlagState,
    error: unknown,
    guard: GuardSnapshot
  ): void {
    const conflict = error instanceof RampartError && error.code === 'conflict'
    this.deps.history.appendEvent({
      kind: conflict ? 'drift' : 'refused',
      actor: this.deps.actor,
      flag: request.flag,
      environment: handle.name,
      reason: request.reason.trim(),
      fromState: from,
      guardSnapshot: guard,
      outcome: 'failed',
      detail: { move: request.move, message: error instanceof Error ? error.message : String(error) }
    })
  }

  private options(
    handle: EnvironmentHandle,
    flag: string,
    state: FlagState,
    guard: GuardSnapshot,
    phaseEnteredAt: string | null
  ): MoveOption[] {
    return allowedMoves(state).map((offer) => {
      // A dry run with a reason and the confirmation supplied lists only what the operator cannot type away.
      const dryRun = planMove({
        flag,
        move: offer.move,
        current: state,
        reason: 'preview',
        confirmation: flag,
        guard,
        phaseEnteredAtEpochMs: phaseEnteredAt === null ? null : Date.parse(phaseEnteredAt),
        minSoakSeconds: handle.config.rollout.min_soak_seconds,
        nowEpochMs: this.deps.clock.now().getTime()
      })
      return {
        move: offer.move,
        target: offer.target,
        available: dryRun.ok,
        unmet: dryRun.ok ? [] : (dryRun.unmet ?? [dryRun.message]),
        needsConfirmation: 'rollout_percentage' in offer.target && offer.target.rollout_percentage === 100
      }
    })
  }

  private flagEnvironment(environment: string | undefined, flag: string): EnvironmentHandle {
    const handle = this.deps.environments.get(environment)
    this.deps.environments.requireFlag(handle, flag)
    return handle
  }

  private guardSnapshot(environment: string, flag: string, phaseEnteredAt: string | null): GuardSnapshot {
    const windows = this.deps.history.listGuardWindows(flag, environment).map((window) => ({
      windowStartEpochMs: Date.parse(window.windowStart),
      decision: normalizeDecision(window.decision)
    }))
    return summarizeGuardWindows(windows, phaseEnteredAt === null ? null : Date.parse(phaseEnteredAt))
  }

  private lastWindowAt(environment: string, flag: string): string | null {
    return this.deps.history.listGuardWindows(flag, environment).at(-1)?.windowStart ?? null
  }

  private memory(environment: string, flag: string): RolloutMemory | undefined {
    const record = this.deps.history.getRollout(flag, environment)?.rollout
    if (record === undefined || typeof record.state !== 'object' || record.state === null) return undefined
    const stored = record.state as { state?: unknown; phaseEnteredAt?: unknown }
    const state = FlagStateSchema.safeParse(stored.state)
    if (!state.success) return undefined
    return { state: state.data, phaseEnteredAt: typeof stored.phaseEnteredAt === 'string' ? stored.phaseEnteredAt : null }
  }

  private remember(environment: string, flag: string, memory: RolloutMemory): void {
    this.deps.history.upsertRollout({ flag, environment, state: memory })
  }
}

function normalizeDecision(decision: string): 'pass' | 'hold' | 'breach' | 'trip' {
  return decision === 'pass' || decision === 'breach' || decision === 'trip' ? decision : 'hold'
}

function sameState(a: FlagState | undefined, b: FlagState): boolean {
  return a !== undefined && differingFields(a, b).length === 0
}

function guardView(guard: GuardSnapshot, lastWindowAt: string | null): GuardStatusView {
  return {
    verdict: guard.verdict,
    tripped: guard.tripped,
    passSince: guard.passSinceEpochMs === null ? null : new Date(guard.passSinceEpochMs).toISOString(),
    lastWindowAt
  }
}

