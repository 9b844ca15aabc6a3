import { useId, useState } from 'react'
import { RunbookSteps } from '@renderer/runbooks/RunbookSteps'
import { EmergencyVerdict } from './EmergencyVerdict'
import type { EmergencyRollbackState } from './useEmergencyRollback'

interface EmergencyResultProps {
  /** The region's id: the focus goes to it when a run ends. */
  id: string
  rollback: EmergencyRollbackState
  onDismiss: () => void
}

/**
 * The run under the emergency action: its steps live while it runs, then its verdict in one or
 * two lines with the steps folded away (Show the steps), so the sticky header stays compact and
 * the page is not pushed down. Dismiss clears it; the history keeps it.
 */
export function EmergencyResult({ id, rollback, onDismiss }: EmergencyResultProps) {
  const [stepsOpen, setStepsOpen] = useState(false)
  const stepsId = useId()
  const { attempt, steps } = rollback
  const running = attempt?.phase === 'running'
  const stepsShown = running || stepsOpen
  return (
    <div className="emergency-result" id={id} tabIndex={-1} data-testid="emergency-result">
      {attempt !== null && <EmergencyVerdict attempt={attempt} steps={steps} detailsShown={stepsOpen} />}
      {steps !== null && !running && (
        <button
          type="button"
          className="emergency-steps-toggle"
          aria-expanded={stepsOpen}
          aria-controls={stepsId}
          onClick={() => setStepsOpen((open) => !open)}
          data-testid="emergency-steps-toggle"
        >
          {stepsOpen ? 'Hide the steps' : `Show the ${steps.stepCount} steps`}
        </button>
      )}
      {steps !== null && (
        <div id={stepsId} className="emergency-steps" hidden={!stepsShown}>
          <RunbookSteps list={steps} label="Emergency rollback steps" />
        </div>
      )}
      {attempt !== null && !running && (
        <button type="button" className="emergency-dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  )
}
