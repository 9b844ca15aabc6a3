import { useId } from 'react'
import type { RunbookProgress, RunbookRunView } from '@shared/runbook-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useAction } from '@renderer/contract/useAction'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { runbookStepList, type RunbookStepList } from './runbook-step-rows'
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
  const focusAfterRender = useFocusAfterRender()
  const outcomeId = useId()
  const cancel = useAction('runbook.cancel')
  const stopped = run.steps.find((step) => step.status !== 'done' && step.status !== 'skipped')
  const { interruption, resumable } = interruptionOf(run)
  const busy = resume.pending || cancel.pending
  const acted = resume.result !== null || cancel.result !== null || busy
  const resumed = resume.result?.ok === true ? resume.result.value : null
  const steps = resumed !== null ? runbookStepList(resumed, []) : runbookStepList(run, progress)
  // Once resumed, the recorded interruption is history: the line says how the resumed run stands.
  const resumedLive = resume.pending || resumed !== null || resume.result !== null
  // A resume main refused never ran: the record's "running" is not the state of anything.
  const resumedStatus = resume.result?.ok === false && steps.runStatus === 'running' ? 'failed' : steps.runStatus

  const act = (action: () => Promise<unknown>) => {
    onActed()
    // Once it ended, to what happened: the button pressed says nothing more.
    void action().then(() => focusAfterRender(outcomeId))
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
        {stopText(run, stopped, resumedLive ? resumedStatus : null)}
        {interruption === null || resumedLive ? '' : ` Interrupted because ${interruption}.`}
      </p>
      {(resume.pending || resumed !== null || progress.length > 0) && (
        <RunbookSteps list={steps} label={`Steps of run #${run.id}`} />
      )}
      <div className="interrupted-run-buttons">
        <BlockableButton
          onClick={() => act(() => resume.run({ runId: run.id }))}
          blocked={busy || !stillInterrupted || resumable === false}
          data-testid="resume-run"
        >
          {resume.pending ? 'Resuming…' : 'Resume'}
        </BlockableButton>
        <BlockableButton
          onClick={() => act(() => cancel.run({ runId: run.id }))}
          blocked={busy || !stillInterrupted}
          data-testid="cancel-run"
        >
          {cancel.pending ? 'Cancelling…' : 'Cancel'}
        </BlockableButton>
        {acted && !busy && (
          <button type="button" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {resumable === false && (
        <p className="muted">This runbook cannot be rebuilt from what was recorded; cancel it and run it again.</p>
      )}
      <div aria-live="polite" id={outcomeId} tabIndex={-1} data-testid="interrupted-run-outcome">
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
 * Where the run stopped, and once it was resumed, how the resumed run stands: "was running" is
 * what the record said at the interruption, never the state of a run going on now.
 */
function stopText(
  run: RunbookRunView,
  stopped: RunbookRunView['steps'][number] | undefined,
  resumedStatus: RunbookStepList['runStatus'] | null
): string {
  const position = stopped === undefined ? null : `step ${stopped.index + 1} of ${run.steps.length}: “${stopped.name}”`
  if (resumedStatus === null) {
    return position === null
      ? 'Every step was done; only the ending was not recorded.'
      : `Did not finish ${position} (it was ${stopped!.status} when the run was interrupted).`
  }
  const from = position === null ? 'Resumed' : `Resumed from ${position}`
  switch (resumedStatus) {
    case 'running':
      return `${from}; running now.`
    case 'succeeded':
      return `${from}; the run has finished.`
    case 'failed':
      return `${from}; the resumed run failed (see the steps below).`
    case 'cancelled':
      return `${from}; the resumed run was cancelled.`
  }
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
