import type { LockHeldDetail, MoveConflictDetail, MoveRefusedDetail } from '@shared/error-details'
import { RampartError } from '@shared/errors'
import { FlagStateSchema, type FlagState } from '@shared/flag-state'
import type { HistoryEvent, HistoryEventKind, NewHistoryEvent } from '@shared/history-types'
import type { RolloutMove } from '@shared/rollout-types'
import type { GuardStatusView, MoveOption, RolloutMoveResult, RolloutStatusView } from '@shared/views'
import { judgedWithThresholds, summarizeGuardWindows } from './core/guard-status'
import { describeFlagVariableProblem } from '@main/flags/core/flag-env-mapping'
import {
  ADVANCE_GATE_TEXT,
  advanceGate,
  allowedMoves,
  differingFields,
  planMove,
  type GuardSnapshot,
  type MoveRefusal
} from './core/rollout-phase-machine'
import { historyFailure } from '@main/history/history-file'
import type { HistoryStore } from '@main/history/history-store'
import { journalKill, pendingKillsPath } from '@main/history/pending-kills'
import type { FlagSnapshot } from '@main/flags/flag-source'
import type { LockAttempt } from '@main/platform/lock-file'
import type { Clock } from '@main/platform/clock'
import type { EnvironmentHandle, EnvironmentRegistry } from '@main/flags/environment-registry'
import { positionView } from '@main/flags/flag-service'

export interface RolloutMoveRequest {
  environment?: string
  flag: string
  move: RolloutMove
  reason: string
  confirmation?: string
  /** The state the operator was looking at; when absent, the state last recorded in history. */
  expected?: FlagState
  /**
   * Who the records name instead of the operator: `rampart` for an action taken automatically
   * (a guard trip's rollback). Not part of the contract: the console cannot claim to be someone else.
   */
  actor?: string
}

/** What history remembers of a rollout between moves. */
interface RolloutMemory {
  state: FlagState
  phaseEnteredAt: string | null
}

/** When the current phase began, as far as Rampart knows. */
interface PhaseClock {
  /** Shown to the operator; null while the state differs from the one on record (a drift not yet recorded). */
  enteredAt: string | null
  /** What guard windows and the soak count from: a state Rampart has not seen before starts its phase now. */
  countsFrom: string
}

const RECENT_EVENTS = 20

/** How long a kill waits for another move's lock: far longer than a write holds it, short for an incident. */
export const KILL_LOCK_WAIT_MS = 5_000

/**
 * The release owner's use cases: where a rollout stands, and the four moves. Every move re-reads
 * the source, is planned by the phase machine, written with a revision check, and recorded.
 */
export class RolloutService {
  constructor(
    private readonly deps: {
      environments: EnvironmentRegistry
      history: Pick<HistoryStore, 'path' | 'events' | 'rollouts' | 'guardWindows'>
      clock: Clock
      actor: string
    }
  ) {}

  async status(environment: string | undefined, flag: string): Promise<RolloutStatusView> {
    const handle = this.flagEnvironment(environment, flag)
    const snapshot = await handle.flagSource.read(flag)
    const phase = this.observe(handle.name, flag, snapshot.state, this.deps.clock.now())
    const guard = this.guardSnapshot(handle.name, flag, phase.countsFrom)
    return {
      environment: handle.name,
      flag,
      protected: handle.config.protected,
      state: snapshot.state,
      position: positionView(snapshot.state.rollout_percentage),
      options: this.options(
        handle,
        flag,
        snapshot.state,
        guard,
        phase.countsFrom,
        this.memory(handle.name, flag)?.state
      ),
      guard: guardView(guard, this.lastWindowAt(handle.name, flag)),
      phaseEnteredAt: phase.enteredAt,
      minSoakSeconds: handle.config.rollout.min_soak_seconds,
      recentEvents: this.deps.history.events.listEvents({ flag, environment: handle.name, newest: RECENT_EVENTS })
    }
  }

  /**
   * One move at a time per flag source, across processes: without the lock, two consoles reading
   * the same state could both pass the source's revision check and both record an applied move.
   */
  async move(request: RolloutMoveRequest): Promise<RolloutMoveResult> {
    const handle = this.flagEnvironment(request.environment, request.flag)
    const release = await this.takeMoveLock(handle, request)
    try {
      return await this.moveHoldingLock(handle, request)
    } finally {
      await release()
    }
  }

  private async moveHoldingLock(handle: EnvironmentHandle, request: RolloutMoveRequest): Promise<RolloutMoveResult> {
    // A kill goes through a bad value elsewhere in the flag's variables; every other move is refused by it.
    const access = { forKill: request.move === 'kill' }
    const snapshot = await handle.flagSource.read(request.flag, access)
    const now = this.deps.clock.now()
    const memory = this.memory(handle.name, request.flag)
    // Adopt records the change itself; any other move chosen from a changed state puts the change on record first.
    if (
      request.move !== 'adopt' &&
      memory !== undefined &&
      !sameState(memory.state, snapshot.state) &&
      sameState(request.expected, snapshot.state)
    ) {
      this.recordSeenDrift(handle, request, memory.state, snapshot, now)
    }
    const phase = this.observe(handle.name, request.flag, snapshot.state, now)
    const guard = this.guardSnapshot(handle.name, request.flag, phase.countsFrom)

    const plan = planMove({
      flag: request.flag,
      move: request.move,
      current: snapshot.state,
      // Adopt is chosen from the source as it is now, so only what the operator saw can conflict with it.
      expected: request.move === 'adopt' ? request.expected : (request.expected ?? memory?.state),
      recorded: memory?.state,
      reason: request.reason,
      confirmation: request.confirmation,
      guard,
      phaseEnteredAtEpochMs: Date.parse(phase.countsFrom),
      minSoakSeconds: handle.config.rollout.min_soak_seconds,
      nowEpochMs: now.getTime()
    })
    if (!plan.ok) throw this.refuse(handle, request, snapshot, plan, guard, now, memory)

    let written: FlagSnapshot = snapshot
    try {
      if (Object.keys(plan.patch).length > 0) {
        written = await handle.flagSource.write(request.flag, plan.patch, snapshot.revision, access)
      }
    } catch (error) {
      this.recordFailedWrite(handle, request, plan.from, error, guard)
      throw error
    }
    const applied: NewHistoryEvent = {
      kind: EVENT_KIND_OF_MOVE[request.move],
      actor: this.actorOf(request),
      flag: request.flag,
      environment: handle.name,
      reason: plan.reason,
      fromState: request.move === 'adopt' ? memory?.state : plan.from,
      toState: written.state,
      guardSnapshot: guard,
      outcome: 'applied',
      detail: {
        move: request.move,
        source: handle.flagSource.kind,
        origin: written.origin,
        ...this.runBy(request),
        ...unreadableDetail(written)
      }
    }
    let event: HistoryEvent
    try {
      event = this.deps.history.events.appendEvent(applied)
    } catch (error) {
      const why = historyFailure(error)
      if (request.move !== 'kill' || why === null) throw error
      throw this.journalWrittenKill(applied, why, now)
    }
    try {
      this.remember(handle.name, request.flag, { state: written.state, phaseEnteredAt: now.toISOString() })
    } catch (error) {
      // The kill is written and on record; the remembered position is only a cache the next move re-reads.
      if (request.move !== 'kill' || historyFailure(error) === null) throw error
    }
    return { state: written.state, event }
  }

  /**
   * The flag is disabled but the history file would not take the event: it is journaled beside the
   * file instead, and the error says so, so the caller goes on with the kill without the history
   * (`UnrecordedKill`) and journals nothing twice.
   */
  private journalWrittenKill(applied: NewHistoryEvent, why: string, now: Date): RampartError {
    const historyFile = this.deps.history.path
    const notRecorded = `${applied.flag} is disabled, but ${historyFile} could not record the kill (${why})`
    try {
      journalKill(historyFile, { journaledAt: now.toISOString(), why, event: applied })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return new RampartError('failed', `${notRecorded}; it could not be journaled either: ${message}`, { historyFile })
    }
    return new RampartError(
      'failed',
      `${notRecorded}; it was journaled in ${pendingKillsPath(historyFile)} for the next Rampart that can write it`,
      { historyFile, killJournaled: true }
    )
  }

  private actorOf(request: RolloutMoveRequest): string {
    return request.actor ?? this.deps.actor
  }

  /** An automatic action names the operator whose console or watch took it. */
  private runBy(request: RolloutMoveRequest): { runBy?: string } {
    return request.actor === undefined || request.actor === this.deps.actor ? {} : { runBy: this.deps.actor }
  }

  /**
   * Takes the flag source's move lock, or records the refusal and throws a conflict naming who holds
   * it. A kill waits a few seconds for a move in progress (a lock is held for one read-check-write),
   * so the emergency action is never lost to a routine advance; every other move is refused at once.
   */
  private async takeMoveLock(handle: EnvironmentHandle, request: RolloutMoveRequest): Promise<() => Promise<void>> {
    let attempt: LockAttempt
    try {
      attempt = await handle.moveLock.acquireWithin(
        this.actorOf(request),
        request.move === 'kill' ? KILL_LOCK_WAIT_MS : 0
      )
    } catch (error) {
      throw new RampartError(
        'failed',
        `cannot take the move lock ${handle.moveLock.path} for ${request.flag} in ${handle.name}: ` +
          `${error instanceof Error ? error.message : String(error)}`
      )
    }
    if (attempt.acquired) return attempt.release
    const holder = attempt.holder
    const who =
      holder === null
        ? 'another Rampart'
        : `${holder.actor} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
    const message =
      `another move of ${request.flag} in ${handle.name} is being written right now by ${who}; ` +
      `look at the new state and choose the move again (lock file ${attempt.path})`
    this.deps.history.events.appendEvent({
      kind: 'refused',
      actor: this.actorOf(request),
      flag: request.flag,
      environment: handle.name,
      reason: request.reason.trim() === '' ? null : request.reason.trim(),
      outcome: 'refused',
      detail: { move: request.move, message, lockHolder: holder }
    })
    throw new RampartError('conflict', message, { lockHolder: holder } satisfies LockHeldDetail)
  }

  /**
   * The operator saw a state that changed outside Rampart and chose a move from it: the move goes
   * ahead, but the change is put on record and its phase starts now, so guard windows and soak
   * time from before the change never count for it.
   */
  private recordSeenDrift(
    handle: EnvironmentHandle,
    request: RolloutMoveRequest,
    recorded: FlagState,
    snapshot: FlagSnapshot,
    now: Date
  ): void {
    const fields = differingFields(recorded, snapshot.state)
    this.deps.history.events.appendEvent({
      kind: 'drift',
      actor: this.actorOf(request),
      flag: request.flag,
      environment: handle.name,
      reason: `state changed outside this console: ${fields.join(', ')}`,
      fromState: recorded,
      toState: snapshot.state,
      outcome: 'observed',
      detail: { move: request.move, fields, origin: snapshot.origin, ...unreadableDetail(snapshot) }
    })
    this.remember(handle.name, request.flag, { state: snapshot.state, phaseEnteredAt: now.toISOString() })
  }

  /** Records why a move was refused (and any drift it revealed), then builds the error for the caller. */
  private refuse(
    handle: EnvironmentHandle,
    request: RolloutMoveRequest,
    snapshot: FlagSnapshot,
    plan: MoveRefusal,
    guard: GuardSnapshot,
    now: Date,
    memory: RolloutMemory | undefined
  ): RampartError {
    const base = { actor: this.actorOf(request), flag: request.flag, environment: handle.name, guardSnapshot: guard }
    if (plan.code === 'conflict' && plan.conflict && memory !== undefined && sameState(memory.state, snapshot.state)) {
      // The source is as Rampart recorded it: the operator's view was stale (another console moved the
      // rollout). Nothing changed outside Rampart, so this is no drift and the phase keeps its start.
      this.deps.history.events.appendEvent({
        ...base,
        kind: 'refused',
        reason: request.reason.trim() === '' ? null : request.reason.trim(),
        fromState: plan.conflict.expected,
        toState: plan.conflict.current,
        outcome: 'refused',
        detail: { move: request.move, message: plan.message, stale: true, fields: plan.conflict.fields }
      })
      return new RampartError('conflict', plan.message, {
        expected: plan.conflict.expected,
        current: plan.conflict.current,
        fields: plan.conflict.fields
      } satisfies MoveConflictDetail)
    }
    if (plan.code === 'conflict' && plan.conflict) {
      this.deps.history.events.appendEvent({
        ...base,
        kind: 'drift',
        reason:
          `state changed outside this ${request.expected ? 'view' : 'console'}: ` + plan.conflict.fields.join(', '),
        fromState: plan.conflict.expected,
        toState: plan.conflict.current,
        outcome: 'refused',
        detail: {
          move: request.move,
          fields: plan.conflict.fields,
          origin: snapshot.origin,
          ...unreadableDetail(snapshot)
        }
      })
      // The drift is now on record and shown; the next decision starts from what is really there,
      // and its phase from now: guard windows and soak from before the change say nothing about it.
      this.remember(handle.name, request.flag, { state: snapshot.state, phaseEnteredAt: now.toISOString() })
      return new RampartError('conflict', plan.message, {
        expected: plan.conflict.expected,
        current: plan.conflict.current,
        fields: plan.conflict.fields
      } satisfies MoveConflictDetail)
    }
    this.deps.history.events.appendEvent({
      ...base,
      kind: 'refused',
      reason: request.reason.trim() === '' ? null : request.reason.trim(),
      fromState: snapshot.state,
      outcome: 'refused',
      detail: { move: request.move, message: plan.message, unmet: plan.unmet ?? [], ...unreadableDetail(snapshot) }
    })
    return new RampartError(plan.code, plan.message, { unmet: plan.unmet ?? [] } satisfies MoveRefusedDetail)
  }

  private recordFailedWrite(
    handle: EnvironmentHandle,
    request: RolloutMoveRequest,
    from: FlagState,
    error: unknown,
    guard: GuardSnapshot
  ): void {
    const conflict = error instanceof RampartError && error.code === 'conflict'
    this.deps.history.events.appendEvent({
      kind: conflict ? 'drift' : 'refused',
      actor: this.actorOf(request),
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
    phaseCountsFrom: string,
    recorded: FlagState | undefined
  ): MoveOption[] {
    return allowedMoves(state, recorded).map((offer) => {
      // A dry run with a reason and the confirmation supplied lists only what the operator cannot type away.
      const dryRun = planMove({
        flag,
        move: offer.move,
        current: state,
        recorded,
        reason: 'preview',
        confirmation: flag,
        guard,
        phaseEnteredAtEpochMs: Date.parse(phaseCountsFrom),
        minSoakSeconds: handle.config.rollout.min_soak_seconds,
        nowEpochMs: this.deps.clock.now().getTime()
      })
      return {
        move: offer.move,
        target: offer.target,
        available: dryRun.ok,
        unmet: dryRun.ok ? [] : (dryRun.unmet ?? [dryRun.message]),
        needsConfirmation: 'rollout_percentage' in offer.target && offer.target.rollout_percentage === 100,
        rule: offer.move === 'advance' ? ADVANCE_GATE_TEXT[advanceGate(state)] : null
      }
    })
  }

  private flagEnvironment(environment: string | undefined, flag: string): EnvironmentHandle {
    const handle = this.deps.environments.get(environment)
    this.deps.environments.requireFlag(handle, flag)
    return handle
  }

  private guardSnapshot(environment: string, flag: string, phaseCountsFrom: string): GuardSnapshot {
    const thresholds = this.deps.environments.get(environment).config.guards
    // Only the phase's windows are read (the summary ignores older ones anyway), so a move costs
    // the same with a year of windows on file.
    const sinceMs = Date.parse(phaseCountsFrom)
    const windows = this.deps.history.guardWindows
      .listGuardWindows(flag, environment, Number.isNaN(sinceMs) ? {} : { since: new Date(sinceMs).toISOString() })
      .filter((window) => judgedWithThresholds(window.figures, thresholds))
      .map((window) => ({
        windowStartEpochMs: Date.parse(window.windowStart),
        decision: normalizeDecision(window.decision)
      }))
    return summarizeGuardWindows(windows, sinceMs)
  }

  private lastWindowAt(environment: string, flag: string): string | null {
    return this.deps.history.guardWindows.latestGuardWindowStart(flag, environment)
  }

  /**
   * When the phase of `state` began. A state Rampart has no record of (first sight, or a record
   * without a phase start) starts its phase now, and that is remembered so the soak keeps
   * counting; a state that differs from the record is left for the next move to record as drift.
   */
  private observe(environment: string, flag: string, state: FlagState, now: Date): PhaseClock {
    const memory = this.memory(environment, flag)
    if (memory !== undefined && sameState(memory.state, state) && memory.phaseEnteredAt !== null) {
      return { enteredAt: memory.phaseEnteredAt, countsFrom: memory.phaseEnteredAt }
    }
    const nowIso = now.toISOString()
    if (memory === undefined || sameState(memory.state, state)) {
      this.remember(environment, flag, { state, phaseEnteredAt: nowIso })
      return { enteredAt: nowIso, countsFrom: nowIso }
    }
    return { enteredAt: null, countsFrom: nowIso }
  }

  private memory(environment: string, flag: string): RolloutMemory | undefined {
    const record = this.deps.history.rollouts.getRolloutRecord(flag, environment)
    if (record === undefined || typeof record.state !== 'object' || record.state === null) return undefined
    const stored = record.state as { state?: unknown; phaseEnteredAt?: unknown }
    const state = FlagStateSchema.safeParse(stored.state)
    if (!state.success) return undefined
    return {
      state: state.data,
      phaseEnteredAt: typeof stored.phaseEnteredAt === 'string' ? stored.phaseEnteredAt : null
    }
  }

  private remember(environment: string, flag: string, memory: RolloutMemory): void {
    this.deps.history.rollouts.upsertRollout({ flag, environment, state: memory })
  }
}

/** Values the kill went past, in the words of the strict read's error, so the record says what was left to fix. */
function unreadableDetail(snapshot: FlagSnapshot): { unreadable?: string[] } {
  return snapshot.unreadable === undefined ? {} : { unreadable: snapshot.unreadable.map(describeFlagVariableProblem) }
}

const EVENT_KIND_OF_MOVE: Record<RolloutMove, HistoryEventKind> = {
  advance: 'phase_move',
  back: 'phase_move',
  rollback: 'rollback',
  kill: 'kill',
  enable: 'enable',
  adopt: 'adopt'
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
