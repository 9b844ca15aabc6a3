import type { RunbookProgress, RunbookRunView } from '@shared/runbook-types'
import { useAction } from '@renderer/contract/useAction'
import { runbookStepList } from './runbook-step-rows'
import { instantText } from '@renderer/format/instant-text'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { RunbookSteps } from './RunbookSteps'

interface InterruptedRunItemProps {
  run: RunbookRunView
  progress: readonly RunbookProgress[]
  /** False once main no longer lists it (resumed, cancelled, or finished elsewhere). */
  stillInterrupted: boolean
  /** Called as the operator acts, so the banner keeps the run on screen with its outcome. */
  onActed: () => void
  onDismiss: () => void
}

/** One interrupted run: what it was, where it stopped, and Resume / Cancel with live progress. */
export function InterruptedRunItem({ run, progress, stillInterrupted, onActed, onDismiss }: InterruptedRunItemProps) {
  const resume = useAction('runbook.resume')
  const cancel = useAction('runbook.cancel')
  const stopped = run.steps.find((step) => step.status !== 'done' && step.status !== 'skipped')
  const { interruption, resumable } = interruptionOf(run)
  const busy = resume.pending || cancel.pending
  const acted = resume.result !== null || cancel.result !== null || busy
  const resumed = resume.result?.ok === true ? resume.result.value : null
  const steps = resumed !== null ? runbookStepList(resumed, []) : runbookStepList(run, progress)

  const act = (action: () => Promise<unknown>) => {
    onActed()
    void action()
  }

  return (
    <li className="interrupted-run" data-testid={`interrupted-run-${run.id}`}>
      <p className="interrupted-run-title">
        <strong>{run.runbook}</strong> run #{run.id}
        {run.flag === null ? '' : ` for ${run.flag}`} in {run.environment}, started{' '}
        <span title={run.startedAt}>{instantText(run.startedAt)}</span> by <strong>{run.actor}</strong>
        {run.reason === null ? '' : ` (“${run.reason}”)`}
      </p>
      <p className="interrupted-run-stop" data-testid="interrupted-run-stop">
        {stopped === undefined
          ? 'Every step was done; only the ending was not recorded.'
          : `Did not finish step ${stopped.index + 1} of ${run.steps.length}: “${stopped.name}” (${stopped.status}).`}
        {interruption === null ? '' : ` Interrupted because ${interruption}.`}
      </p>
      {(resume.pending || resumed !== null || progress.length > 0) && (
        <RunbookSteps list={steps} label={`Steps of run #${run.id}`} />
      )}
      <div className="interrupted-run-buttons">
        <button
          type="button"
          onClick={() => act(() => resume.run({ runId: run.id }))}
          disabled={busy || !stillInterrupted || resumable === false}
          data-testid="resume-run"
        >
          {resume.pending ? 'Resuming…' : 'Resume'}
        </button>
        <button
          type="button"
          onClick={() => act(() => cancel.run({ runId: run.id }))}
          disabled={busy || !stillInterrupted}
          data-testid="cancel-run"
        >
          {cancel.pending ? 'Cancelling…' : 'Cancel'}
        </button>
        {acted && !busy && (
          <button type="button" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {resumable === false && (
        <p className="muted">This runbook cannot be rebuilt from what was recorded; cancel it and run it again.</p>
      )}
      <div aria-live="polite" data-testid="interrupted-run-outcome">
        {resumed !== null && (
          <p className="run-outcome-ok">
            Resumed run #{resumed.id}: {resumed.status}.
          </p>
        )}
        {resume.result?.ok === false && <ErrorNotice error={resume.result.error} context="Resume failed" />}
        {cancel.result?.ok === true && <p className="run-outcome-ok">{cancel.result.value.message}</p>}
        {cancel.result?.ok === false && <ErrorNotice error={cancel.result.error} context="Cancel failed" />}
      </div>
    </li>
  )
}

/**
 * `runbook.list { interrupted: true }` answers with InterruptedRunbookRun values (why, and whether
 * it can be resumed); the contract types them as plain run views, so the two fields are read with care.
 */
function interruptionOf(run: RunbookRunView): { interruption: string | null; resumable: boolean | null } {
  const extra = run as RunbookRunView & { interruption?: unknown; resumable?: unknown }
  return {
    interruption: typeof extra.interruption === 'string' ? extra.interruption : null,
    resumable: typeof extra.resumable === 'boolean' ? extra.resumable : null
  }
}
