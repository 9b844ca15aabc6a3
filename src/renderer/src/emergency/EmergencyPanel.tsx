import { useId, useState, type FormEvent } from 'react'
import type { FlagView } from '@shared/views'
import { useEmergencyRollback } from './useEmergencyRollback'
import type { RunbookProgressLog } from '@renderer/runbooks/useRunbookProgress'
import { EmergencyVerdict } from './EmergencyVerdict'
import { RunbookSteps } from '@renderer/runbooks/RunbookSteps'

interface EmergencyPanelProps {
  flags: FlagView[] | null
  progress: RunbookProgressLog
  /** Called once a run ended, so the page shows the new state at once. */
  onFinished: () => void
}

/**
 * The one emergency action, always in the header: the emergency rollback runbook (flag off,
 * service restarted when its source is an env file, health verified). No dialog pops up; the
 * reason field is the deliberate step, and main refuses an empty one. Every step shows live.
 */
export function EmergencyPanel({ flags, progress, onFinished }: EmergencyPanelProps) {
  const rollback = useEmergencyRollback(progress)
  const [chosen, setChosen] = useState('')
  const [reason, setReason] = useState('')
  const flagFieldId = useId()
  const reasonFieldId = useId()
  const views = flags ?? []
  const selected = views.find((view) => view.flag === chosen) ?? views[0]
  const running = rollback.attempt?.phase === 'running'

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (selected === undefined || running) return
    await rollback.start({ environment: selected.environment, flag: selected.flag, reason })
    onFinished()
  }

  return (
    <form className="emergency" onSubmit={submit} aria-label="Emergency rollback">
      <label htmlFor={flagFieldId}>Flag</label>
      <select
        id={flagFieldId}
        value={selected?.flag ?? ''}
        onChange={(event) => setChosen(event.target.value)}
        disabled={views.length === 0 || running}
      >
        {views.map((view) => (
          <option key={`${view.environment}/${view.flag}`} value={view.flag}>
            {view.flag} ({view.environment})
          </option>
        ))}
      </select>
      <label htmlFor={reasonFieldId}>Reason</label>
      <input
        id={reasonFieldId}
        className="emergency-reason"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        placeholder="Why (recorded)"
        maxLength={2000}
        autoComplete="off"
        disabled={running}
      />
      <button type="submit" className="emergency-button" disabled={running || selected === undefined}>
        {running ? 'Rolling back…' : 'Emergency rollback'}
      </button>
      <div className="emergency-result" data-testid="emergency-result">
        {rollback.steps !== null && <RunbookSteps list={rollback.steps} label="Emergency rollback steps" />}
        {rollback.attempt !== null && <EmergencyVerdict attempt={rollback.attempt} steps={rollback.steps} />}
        {rollback.attempt !== null && !running && (
          <button type="button" className="emergency-dismiss" onClick={rollback.dismiss}>
            Dismiss
          </button>
        )}
      </div>
    </form>
  )
}
