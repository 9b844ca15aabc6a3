import { RampartError, toContractError } from '../../shared/errors'
import type { RunbookProgress, RunbookRunView } from '../../shared/runbook-types'
import type { HistoryStore } from '../adapters/history-store'
import type { Clock } from './clock'
import type { ProgressBus } from './progress-bus'

/** One step: a name the operator reads, and the work. It may report progress lines while it runs. */
export interface RunbookStep<Context> {
  name: string
  /** Returns a one-line summary of what it did (shown and recorded). */
  run(context: Context, report: (message: string) => void): Promise<string | void>
}

export interface RunbookDefinition<Context> {
  runbook: string
  environment: string
  flag?: string | null
  reason?: string | null
  steps: ReadonlyArray<RunbookStep<Context>>
  /** What the run was asked to do, recorded with it (no secrets). */
  input?: unknown
  /** The run's result once every step is done (recorded, returned in the view). */
  result?: (context: Context) => unknown
}

/**
 * Runs a runbook step by step: each step is recorded before it starts and after it ends, and
 * every change is published for the live view. The history chain gets one event when the run
 * starts and one when it ends, so the timeline shows intent and outcome.
 */
export class RunbookRunner {
  constructor(
    private readonly deps: { history: HistoryStore; bus: ProgressBus; clock: Clock; actor: string }
  ) {}

  async run<Context>(definition: RunbookDefinition<Context>, context: Context): Promise<RunbookRunView> {
    const { history } = this.deps
    const stepNames = definition.steps.map((step) => step.name)
    const runId = history.runbooks.start({
      runbook: definition.runbook,
      flag: definition.flag ?? null,
      environment: definition.environment,
      actor: this.deps.actor,
      reason: definition.reason ?? null,
      steps: stepNames,
      detail: definition.input
    })
    this.recordEvent(definition, runId, 'started', { steps: stepNames, input: definition.input ?? null })
    const notify = (fields: Partial<RunbookProgress> & Pick<RunbookProgress, 'kind'>): void =>
      this.deps.bus.publish({
        runId,
        runbook: definition.runbook,
        environment: definition.environment,
        at: this.deps.clock.now().toISOString(),
        stepIndex: null,
        stepCount: stepNames.length,
        step: null,
        message: null,
        durationMs: null,
        status: null,
        ...fields
      })
    notify({ kind: 'run_started', status: 'running' })

    for (const [index, step] of definition.steps.entries()) {
      history.runbooks.stepStarted(runId, index)
      notify({ kind: 'step_started', stepIndex: index, step: step.name, status: 'running' })
      const started = this.deps.clock.now().getTime()
      try {
        const summary = await step.run(context, (message) =>
          notify({ kind: 'step_progress', stepIndex: index, step: step.name, message, status: 'running' })
        )
        const durationMs = this.deps.clock.now().getTime() - started
        history.runbooks.stepFinished(runId, index, { status: 'done', message: summary ?? null, durationMs })
        notify({ kind: 'step_done', stepIndex: index, step: step.name, message: summary ?? null, durationMs, status: 'done' })
      } catch (error) {
        const durationMs = this.deps.clock.now().getTime() - started
        const failure = toContractError(error)
        history.runbooks.stepFinished(runId, index, { status: 'failed', message: failure.message, durationMs })
        notify({ kind: 'step_failed', stepIndex: index, step: step.name, message: failure.message, durationMs, status: 'failed' })
        history.runbooks.finish(runId, 'failed', { failedStep: step.name, error: failure.message })
        this.recordEvent(definition, runId, 'failed', { failedStep: step.name, error: failure.message })
        notify({ kind: 'run_finished', status: 'failed', message: failure.message })
        throw new RampartError(failure.code, `${definition.runbook}: step "${step.name}" failed: ${failure.message}`, {
          runId,
          step: step.name
        })
      }
    }

    const result = definition.result?.(context) ?? null
    history.runbooks.finish(runId, 'succeeded', result)
    this.recordEvent(definition, runId, 'succeeded', { result })
    notify({ kind: 'run_finished', status: 'succeeded' })
    const view = history.runbooks.get(runId)
    if (view === undefined) throw new RampartError('failed', `runbook run #${runId} vanished from ${history.path}`)
    return view
  }

  private recordEvent(
    definition: Pick<RunbookDefinition<never>, 'runbook' | 'environment' | 'flag' | 'reason'>,
    runId: number,
    outcome: string,
    detail: object
  ): void {
    this.deps.history.appendEvent({
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
