import type { RunbookStepStatus } from '@shared/runbook-types'
import type { RunbookStepList } from './runbook-step-rows'
import { durationMsText } from '@renderer/format/duration-text'

/** A pending step of a run that has ended will not run: it is shown as such, not as waiting. */
type ShownStatus = RunbookStepStatus | 'not-run'

const MARKS: Record<ShownStatus, string> = {
  pending: '○',
  running: '…',
  done: '✓',
  failed: '✗',
  skipped: '↷',
  cancelled: '⊘',
  'not-run': '–'
}

const WORDS: Record<ShownStatus, string> = {
  pending: 'waiting',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
  'not-run': 'not run'
}

/** A run's steps, one line each: mark, name, duration, and what the step said. */
export function RunbookSteps({ list, label }: { list: RunbookStepList; label: string }) {
  const notStarted = list.stepCount - list.rows.length
  const ended = list.runStatus !== null && list.runStatus !== 'running'
  return (
    <ol className="runbook-steps" aria-label={label} aria-live="polite">
      {list.rows.map((row) => {
        const shown: ShownStatus = ended && row.status === 'pending' ? 'not-run' : row.status
        return (
          <li
            key={row.index}
            className={`runbook-step runbook-step-${shown}`}
            data-testid="runbook-step"
            data-status={shown}
          >
            <span className="runbook-step-mark" aria-hidden="true">
              {MARKS[shown]}
            </span>
            <span className="visually-hidden">{WORDS[shown]}: </span>
            <span className="runbook-step-name">{row.name}</span>
            {row.durationMs !== null && <span className="runbook-step-duration">{durationMsText(row.durationMs)}</span>}
            {shown === 'not-run' && <span className="runbook-step-duration">not run</span>}
            {row.message !== null && <span className="runbook-step-message">{row.message}</span>}
          </li>
        )
      })}
      {notStarted > 0 && (
        <li className="runbook-step runbook-step-pending">
          <span className="runbook-step-mark" aria-hidden="true">
            {MARKS.pending}
          </span>
          <span className="runbook-step-name">
            {notStarted} more step{notStarted === 1 ? '' : 's'} {ended ? 'not run' : 'to go'}
          </span>
        </li>
      )}
    </ol>
  )
}
