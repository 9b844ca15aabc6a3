import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import type { RunbookRunStoppedDetail } from '@shared/error-details'
import { RampartError, toContractError, type ErrorCode } from '@shared/errors'
import type {
  InterruptedRunbookRun,
  RunbookCancelResult,
  RunbookProgress,
  RunbookRunView,
  RunbookStepView
} from '@shared/runbook-types'
import type { HistoryStore } from '@main/history/history-store'
import { currentProcess, processExists } from '@main/platform/process-liveness'
import type { CancelRequest, RunOwner } from '@main/history/runbook-records'
import { runInterruption } from '@main/platform/core/owner-liveness'
import type { Clock } from '@main/platform/clock'
import type { ProgressBus } from './progress-bus'
import type { RunbookDefinition, RunNotes, StepTools } from './runbook-definition'
import type { RunbookRegistry } from './runbook-registry'

export interface RunOptions {
  /** Aborting it cancels the run at its next safe point (Ctrl-C at the terminal). */
  signal?: AbortSignal
}

export interface RunbookRunnerDeps {
  history: Pick<HistoryStore, 'path' | 'runbooks' | 'events'>
  bus: ProgressBus
  clock: Clock
  actor: string
  /** Runbooks that can be started by name and resumed. */
  registry?: RunbookRegistry
  /** Who runs the runs; this process by default. */
  identity?: { pid: number; host: string }
  isProcessAlive?: (pid: number) => boolean
  /** How often a running run renews its heartbeat and looks for a cancel request. */
  heartbeatMs?: number
  /** A heartbeat older than this marks the run interrupted even where the pid cannot be checked. */
  staleAfterMs?: number
}

interface ActiveRun {
  controller: AbortController
  owner: RunOwner
  cancel: CancelRequest | null
  /** Set when another process claimed the run: this one must stop without writing to it. */
  lost: boolean
}

interface Execution<Context> {
  runId: number
  definition: RunbookDefinition<Context>
  context: Context
  owner: RunOwner
  /** Steps already done in an earlier attempt. */
  done: ReadonlySet<number>
  signal: AbortSignal | undefined
}

const DEFAULT_HEARTBEAT_MS = 2_000
const DEFAULT_STALE_AFTER_MS = 60_000

/** The step being run in this async context, so a runbook started inside it records its parent. */
const currentStep = new AsyncLocalStorage<{ runId: number; stepIndex: number }>()
const NEVER_ABORTED = new AbortController().signal

/**
 * Runs a runbook step by step: each step is recorded before it starts and after it ends, and
 * every change is published for the live view. The history chain gets one event when the run
 * starts and one when it ends, so the timeline shows intent and outcome. A run records its
 * process (pid, host, heartbeat) so a crash is recognised at the next start, its input so a
 * registered runbook can be rebuilt and resumed from the first step not done, and its notes.
 */
export class RunbookRunner {
  private readonly active = new Map<number, ActiveRun>()
  private readonly identity: { pid: number; host: string }

  constructor(private readonly deps: RunbookRunnerDeps) {
    this.identity = deps.identity ?? currentProcess()
  }

  async run<Context>(
    definition: RunbookDefinition<Context>,
    context: Context,
    options: RunOptions = {}
  ): Promise<RunbookRunView> {
    const { history } = this.deps
    const stepNames = definition.steps.map((step) => step.name)
    const owner = this.newOwner()
    const parent = currentStep.getStore() ?? null
    const runId = history.runbooks.start({
      runbook: definition.runbook,
      flag: definition.flag ?? null,
      environment: definition.environment,
      actor: this.deps.actor,
      reason: definition.reason ?? null,
      steps: stepNames,
      detail: definition.input,
      owner,
      parent
    })
    this.recordEvent(definition, runId, 'started', {
      steps: stepNames,
      input: definition.input ?? null,
      ...(parent === null ? {} : { parent })
    })
    this.notifier(definition, runId)({ kind: 'run_started', status: 'running' })
    return this.execute({ runId, definition, context, owner, done: new Set(), signal: options.signal })
  }

  /** Starts a registered runbook by name; its input is checked and recorded so the run can be resumed. */
  async start(name: string, input: unknown, options: RunOptions = {}): Promise<RunbookRunView> {
    const registered = this.deps.registry?.get(name)
    if (registered === undefined) {
      throw new RampartError(
        'bad_input',
        `There is no runbook "${name}" (there are: ${this.deps.registry?.names().join(', ') || 'none'})`
      )
    }
    const build = await registered.build(registered.parseInput(input))
    return this.run(build.definition, build.context, options)
  }

  /**
   * Continues an interrupted, failed or cancelled run of a registered runbook: rebuilds it from
   * its recorded input and runs every step that is not done, beginning with the one that was
   * running, failed or cancelled (which is why steps are idempotent).
   */
  async resume(runId: number, options: RunOptions = {}): Promise<RunbookRunView> {
    const { history } = this.deps
    const recorded = history.runbooks.get(runId)
    if (recorded === undefined)
      throw new RampartError('bad_input', `There is no runbook run #${runId} in ${history.path}`)
    const refusal = this.resumeRefusal(recorded)
    if (refusal !== null) throw new RampartError(refusal.code, refusal.message)
    const registered = this.deps.registry?.get(recorded.runbook)
    if (registered === undefined) {
      throw new RampartError(
        'refused',
        `Run #${runId} (${recorded.runbook}) cannot be resumed: "${recorded.runbook}" is not a resumable runbook ` +
          `(resumable: ${this.deps.registry?.names().join(', ') || 'none'}). ` +
          `Run it again from the start, and cancel this one: rampart runbook cancel ${runId}`
      )
    }
    let input: unknown
    try {
      input = registered.parseInput(recorded.input)
    } catch (error) {
      throw new RampartError(
        'bad_input',
        `Run #${runId} (${recorded.runbook}) cannot be resumed: its recorded input does not fit this version: ` +
          toContractError(error).message
      )
    }
    const build = await registered.build(input)
    const names = build.definition.steps.map((step) => step.name)
    const recordedNames = recorded.steps.map((step) => step.name)
    if (names.join('\n') !== recordedNames.join('\n')) {
      throw new RampartError(
        'refused',
        `Run #${runId} (${recorded.runbook}) cannot be resumed: ` +
          `it was recorded with the steps [${recordedNames.join(' | ')}], ` +
          `but from its input this version builds [${names.join(' | ')}] (the workspace or Rampart changed). ` +
          `Cancel it: rampart runbook cancel ${runId}`
      )
    }

    const owner = this.newOwner()
    let claimRefusal: { code: ErrorCode; message: string } | null = null
    const claim = history.runbooks.claim(runId, owner, (run) => {
      claimRefusal = this.resumeRefusal(run)
      return claimRefusal?.message ?? null
    })
    if (!claim.ok)
      throw new RampartError((claimRefusal as { code: ErrorCode } | null)?.code ?? 'conflict', claim.reason)

    const done = new Set(
      claim.run.steps.filter((step) => step.status === 'done' || step.status === 'skipped').map((step) => step.index)
    )
    const first = claim.run.steps.find((step) => !done.has(step.index))
    this.recordEvent(build.definition, runId, 'resumed', {
      previousStatus: recorded.status,
      previousProcess: recorded.process,
      fromStep: first?.name ?? null,
      // The step that was running when the process died runs again: the record says so.
      rerunStep: first !== undefined && first.status === 'running' ? first.name : null,
      stepsDone: [...done].length
    })
    this.notifier(
      build.definition,
      runId
    )({
      kind: 'run_resumed',
      status: 'running',
      stepIndex: first?.index ?? null,
      step: first?.name ?? null,
      message:
        first === undefined ? 'every step was done' : `resuming at step ${first.index + 1} (${first.status} before)`
    })
    return this.execute({
      runId,
      definition: build.definition,
      context: build.context,
      owner,
      done,
      signal: options.signal
    })
  }

  /**
   * Runs recorded as running whose process is gone, newest first; a child whose parent is also
   * listed is left to the parent's resume.
   */
  listInterrupted(): InterruptedRunbookRun[] {
    const found: InterruptedRunbookRun[] = []
    for (const run of this.deps.history.runbooks.list({ status: 'running', limit: 1000 })) {
      const interruption = this.interruption(run)
      if (interruption === null) continue
      found.push({
        ...run,
        interruption,
        resumable: run.parent === null && this.deps.registry?.get(run.runbook) !== undefined
      })
    }
    const listed = new Set(found.map((run) => run.id))
    return found.filter((run) => run.parent === null || !listed.has(run.parent.runId))
  }

  /**
   * Cancels a run: one of this process's at its next safe point; an interrupted one at once (it
   * stays resumable); one running in another live process by asking it, through the history
   * file, to stop at its next safe point.
   */
  cancel(runId: number, request: { reason?: string } = {}): RunbookCancelResult {
    const { history } = this.deps
    const cancel: CancelRequest = {
      by: this.deps.actor,
      reason: request.reason?.trim() || null,
      at: this.deps.clock.now().toISOString()
    }
    const active = this.active.get(runId)
    if (active !== undefined) {
      active.cancel ??= cancel
      active.controller.abort(cancelError(runId, cancel))
      return { runId, outcome: 'requested', message: `run #${runId} stops at its next safe point` }
    }
    const run = history.runbooks.get(runId)
    if (run === undefined) throw new RampartError('bad_input', `There is no runbook run #${runId} in ${history.path}`)
    if (run.status !== 'running')
      throw new RampartError(
        'refused',
        `Run #${runId} (${run.runbook}) is ${run.status}, not running; there is nothing to cancel`
      )
    const interruption = this.interruption(run)
    if (interruption === null) {
      history.runbooks.requestCancel(runId, cancel)
      return {
        runId,
        outcome: 'requested',
        message:
          `run #${runId} is running in pid ${run.process?.pid ?? '?'} on ${run.process?.host ?? '?'}; ` +
          'asked it to stop at its next safe point'
      }
    }
    this.closeRun(run, 'cancelled', { cancelledBy: cancel.by, reason: cancel.reason, interruption })
    this.recordEvent(run, runId, 'cancelled', { by: cancel.by, interruption })
    return {
      runId,
      outcome: 'cancelled',
      message: `run #${runId} was interrupted (${interruption}); recorded as cancelled, and it can still be resumed`
    }
  }

  private async execute<Context>(execution: Execution<Context>): Promise<RunbookRunView> {
    const { runId, definition, context, owner } = execution
    const { history } = this.deps
    const notify = this.notifier(definition, runId)
    const active: ActiveRun = { controller: new AbortController(), owner, cancel: null, lost: false }
    this.active.set(runId, active)
    const stopExternal = this.followExternalSignal(runId, active, execution.signal)
    const heartbeat = setInterval(() => this.beat(runId, active), this.deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
    heartbeat.unref()
    const notes = this.notes(runId)
    try {
      for (const [index, step] of definition.steps.entries()) {
        if (execution.done.has(index)) continue
        if (active.controller.signal.aborted) throw this.stopBetweenSteps(definition, runId, active, step.name)
        this.closeSuperseded(runId, index)
        history.runbooks.stepStarted(runId, index)
        notify({ kind: 'step_started', stepIndex: index, step: step.name, status: 'running' })
        const started = this.deps.clock.now().getTime()
        const tools: StepTools = {
          runId,
          notes,
          signal: step.cancellable === true ? active.controller.signal : NEVER_ABORTED
        }
        try {
          const summary = await currentStep.run({ runId, stepIndex: index }, () =>
            step.run(
              context,
              (message) =>
                notify({ kind: 'step_progress', stepIndex: index, step: step.name, message, status: 'running' }),
              tools
            )
          )
          // A process that was taken for dead and whose run was resumed elsewhere must not write over it.
          if (active.lost) throw lostError(runId, step.name)
          const durationMs = this.deps.clock.now().getTime() - started
          history.runbooks.stepFinished(runId, index, { status: 'done', message: summary ?? null, durationMs })
          notify({
            kind: 'step_done',
            stepIndex: index,
            step: step.name,
            message: summary ?? null,
            durationMs,
            status: 'done'
          })
        } catch (error) {
          const durationMs = this.deps.clock.now().getTime() - started
          if (active.lost) throw lostError(runId, step.name)
          if (step.cancellable === true && active.controller.signal.aborted && active.cancel !== null) {
            const message = describeCancel(active.cancel)
            history.runbooks.stepFinished(runId, index, { status: 'cancelled', message, durationMs })
            notify({
              kind: 'step_cancelled',
              stepIndex: index,
              step: step.name,
              message,
              durationMs,
              status: 'cancelled'
            })
            throw this.finishCancelled(definition, runId, active.cancel, step.name, 'during')
          }
          const failure = toContractError(error)
          history.runbooks.stepFinished(runId, index, { status: 'failed', message: failure.message, durationMs })
          notify({
            kind: 'step_failed',
            stepIndex: index,
            step: step.name,
            message: failure.message,
            durationMs,
            status: 'failed'
          })
          history.runbooks.finish(runId, 'failed', { failedStep: step.name, error: failure.message })
          this.recordEvent(definition, runId, 'failed', { failedStep: step.name, error: failure.message })
          notify({ kind: 'run_finished', status: 'failed', message: failure.message })
          throw new RampartError(
            failure.code,
            `${definition.runbook}: step "${step.name}" failed: ${failure.message}`,
            {
              ...({ runId, step: step.name } satisfies RunbookRunStoppedDetail),
              // A step that failed on the history file says so upward: the emergency rollback then goes on without it.
              ...historyDetail(failure.detail)
            }
          )
        }
      }
      if (active.lost) throw lostError(runId, 'the end')
      const result = definition.result?.(context, notes) ?? null
      history.runbooks.finish(runId, 'succeeded', result)
      this.recordEvent(definition, runId, 'succeeded', { result })
      notify({ kind: 'run_finished', status: 'succeeded' })
      const view = history.runbooks.get(runId)
      if (view === undefined) throw new RampartError('failed', `runbook run #${runId} vanished from ${history.path}`)
      return view
    } finally {
      clearInterval(heartbeat)
      stopExternal()
      this.active.delete(runId)
    }
  }

  private stopBetweenSteps(
    definition: RunbookDefinition<never>,
    runId: number,
    active: ActiveRun,
    nextStep: string
  ): RampartError {
    if (active.lost || active.cancel === null) return lostError(runId, nextStep)
    return this.finishCancelled(definition, runId, active.cancel, nextStep, 'before')
  }

  private finishCancelled(
    definition: RunbookDefinition<never>,
    runId: number,
    cancel: CancelRequest,
    step: string,
    when: 'before' | 'during'
  ): RampartError {
    const message = `${describeCancel(cancel)} ${when} step "${step}"`
    this.deps.history.runbooks.finish(runId, 'cancelled', { cancelledBy: cancel.by, reason: cancel.reason, step, when })
    this.recordEvent(definition, runId, 'cancelled', { by: cancel.by, step, when })
    this.notifier(definition, runId)({ kind: 'run_finished', status: 'cancelled', message })
    return new RampartError(
      'failed',
      `${definition.runbook} run #${runId} ${message}; continue it with: rampart runbook resume ${runId}`,
      {
        runId,
        status: 'cancelled'
      } satisfies RunbookRunStoppedDetail
    )
  }

  /** Renews the heartbeat; stops the run when another process claimed it, or when a cancel was asked for. */
  private beat(runId: number, active: ActiveRun): void {
    let control
    try {
      control = this.deps.history.runbooks.heartbeat(runId, active.owner.token)
    } catch {
      // A busy or briefly locked file: the next beat tries again, well before the run looks stale.
      return
    }
    if (!control.owned) {
      active.lost = true
      active.controller.abort(lostError(runId, 'the current step'))
    } else if (control.cancelRequested !== null && active.cancel === null) {
      active.cancel = control.cancelRequested
      active.controller.abort(cancelError(runId, control.cancelRequested))
    }
  }

  private followExternalSignal(runId: number, active: ActiveRun, signal: AbortSignal | undefined): () => void {
    if (signal === undefined) return () => undefined
    const onAbort = (): void => {
      active.cancel ??= {
        by: this.deps.actor,
        reason: 'interrupted by the operator',
        at: this.deps.clock.now().toISOString()
      }
      active.controller.abort(cancelError(runId, active.cancel))
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    return () => signal.removeEventListener('abort', onAbort)
  }

  /** Runs started inside this step by an earlier attempt that died with it: the re-run replaces them. */
  private closeSuperseded(runId: number, stepIndex: number): void {
    for (const child of this.deps.history.runbooks.children(runId, stepIndex)) {
      if (child.status !== 'running' || this.active.has(child.id)) continue
      this.closeRun(child, 'cancelled', { supersededBy: { runId, stepIndex } })
      this.recordEvent(child, child.id, 'cancelled', { supersededBy: { runId, stepIndex } })
    }
  }

  /** Finishes a run nobody is running: its running steps and its own unfinished children too. */
  private closeRun(run: RunbookRunView, status: 'cancelled', result: Record<string, unknown>): void {
    const { history } = this.deps
    for (const step of run.steps) {
      if (step.status !== 'running') continue
      history.runbooks.stepFinished(run.id, step.index, {
        status: 'cancelled',
        message: 'interrupted: its process is gone',
        durationMs: null
      })
      for (const child of history.runbooks.children(run.id, step.index)) {
        if (child.status === 'running' && !this.active.has(child.id))
          this.closeRun(child, status, { supersededBy: { runId: run.id, stepIndex: step.index } })
      }
    }
    history.runbooks.finish(run.id, status, result)
  }

  private resumeRefusal(run: RunbookRunView): { code: ErrorCode; message: string } | null {
    if (run.parent !== null) {
      return {
        code: 'refused',
        message:
          `Run #${run.id} (${run.runbook}) ran inside step ${run.parent.stepIndex + 1} of run #${run.parent.runId}; ` +
          `resume that one: rampart runbook resume ${run.parent.runId}`
      }
    }
    if (run.status === 'succeeded')
      return {
        code: 'refused',
        message: `Run #${run.id} (${run.runbook}) succeeded at ${run.finishedAt ?? '?'}; there is nothing to resume`
      }
    if (run.status !== 'running') return null
    if (this.active.has(run.id))
      return { code: 'conflict', message: `Run #${run.id} (${run.runbook}) is running in this process` }
    if (this.interruption(run) === null) {
      return {
        code: 'conflict',
        message:
          `Run #${run.id} (${run.runbook}) is still running: ` +
          `pid ${run.process?.pid ?? '?'} on ${run.process?.host ?? '?'}, ` +
          `heartbeat at ${run.process?.heartbeatAt ?? '?'}. ` +
          `Wait for it, or cancel it: rampart runbook cancel ${run.id}`
      }
    }
    return null
  }

  private interruption(run: RunbookRunView): string | null {
    if (this.active.has(run.id)) return null
    const process = run.process
    const sameHost = process !== null && process.host === this.identity.host
    return runInterruption(process, {
      host: this.identity.host,
      nowEpochMs: this.deps.clock.now().getTime(),
      staleAfterMs: this.deps.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      pidAlive: sameHost ? (this.deps.isProcessAlive ?? processExists)(process.pid) : null
    })
  }

  private notes(runId: number): RunNotes {
    const records = this.deps.history.runbooks
    const values: Record<string, unknown> = { ...records.notes(runId) }
    return {
      get: <T>(key: string) => values[key] as T | undefined,
      set: (key, value) => {
        values[key] = value
        records.setNotes(runId, values)
      },
      all: () => values
    }
  }

  private newOwner(): RunOwner {
    return { ...this.identity, token: randomBytes(12).toString('hex') }
  }

  private notifier(
    definition: Pick<RunbookDefinition<never>, 'runbook' | 'environment' | 'steps'> | RunbookRunView,
    runId: number
  ): (fields: Partial<RunbookProgress> & Pick<RunbookProgress, 'kind'>) => void {
    const stepCount = definition.steps.length
    return (fields) =>
      this.deps.bus.publish({
        runId,
        runbook: definition.runbook,
        environment: definition.environment,
        at: this.deps.clock.now().toISOString(),
        stepIndex: null,
        stepCount,
        step: null,
        message: null,
        durationMs: null,
        status: null,
        ...fields
      })
  }

  private recordEvent(
    definition: Pick<RunbookDefinition<never>, 'runbook' | 'environment' | 'flag' | 'reason'> | RunbookRunView,
    runId: number,
    outcome: string,
    detail: object
  ): void {
    this.deps.history.events.appendEvent({
      kind: 'runbook',
      actor: this.deps.actor,
      flag: definition.flag ?? null,
      environment: definition.environment,
      reason: definition.reason ?? null,
      outcome,
      detail: { runbook: definition.runbook, runId, ...detail }
    })
  }
}

/** The first step a resume would run, for listings. */
export function resumePoint(run: Pick<RunbookRunView, 'steps'>): RunbookStepView | undefined {
  return run.steps.find((step) => step.status !== 'done' && step.status !== 'skipped')
}

function describeCancel(cancel: CancelRequest): string {
  return `cancelled by ${cancel.by}${cancel.reason === null ? '' : ` (${cancel.reason})`}`
}

function cancelError(runId: number, cancel: CancelRequest): RampartError {
  return new RampartError('failed', `run #${runId} ${describeCancel(cancel)}`, {
    runId,
    status: 'cancelled'
  } satisfies RunbookRunStoppedDetail)
}

function lostError(runId: number, step: string): RampartError {
  return new RampartError(
    'conflict',
    `run #${runId} was taken over by another process (it was taken for interrupted and resumed there); ` +
      `this process stopped at ${step} without recording more`,
    { runId } satisfies RunbookRunStoppedDetail
  )
}

/** The history-file part of a failure's detail (see `historyFailure`), kept when a step's error is wrapped. */
function historyDetail(detail: unknown): { historyFile?: string; killJournaled?: boolean } {
  if (typeof detail !== 'object' || detail === null) return {}
  const { historyFile, killJournaled } = detail as { historyFile?: unknown; killJournaled?: unknown }
  return {
    ...(typeof historyFile === 'string' ? { historyFile } : {}),
    ...(killJournaled === true ? { killJournaled } : {})
  }
}
