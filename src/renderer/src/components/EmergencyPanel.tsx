import { useId, useState, type FormEvent } from 'react'
import type { FlagView } from '../../../shared/views'
import { useAction } from '../hooks/useAction'
import { ErrorNotice } from './ErrorNotice'

interface EmergencyPanelProps {
  flags: FlagView[] | null
  /** Called after a kill was recorded, so the page shows the new state at once. */
  onKilled: () => void
}

/**
 * The emergency action, always in the header: pick the flag, say why, kill. No dialog pops
 * up; the reason field is the deliberate step, and main refuses an empty one.
 */
export function EmergencyPanel({ flags, onKilled }: EmergencyPanelProps) {
  const kill = useAction('rollout.move')
  const [chosen, setChosen] = useState('')
  const [reason, setReason] = useState('')
  const flagFieldId = useId()
  const reasonFieldId = useId()
  const views = flags ?? []
  const selected = views.find((view) => view.flag === chosen) ?? views[0]

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (selected === undefined) return
    const answer = await kill.run({ environment: selected.environment, flag: selected.flag, move: 'kill', reason })
    if (answer.ok) {
      setReason('')
      onKilled()
    }
  }

  return (
    <form className="emergency" onSubmit={submit} aria-label="Emergency: kill a flag">
      <label htmlFor={flagFieldId}>Flag</label>
      <select
        id={flagFieldId}
        value={selected?.flag ?? ''}
        onChange={(event) => setChosen(event.target.value)}
        disabled={views.length === 0}
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
      />
      <button type="submit" className="kill-button" disabled={kill.pending || selected === undefined}>
        {kill.pending ? 'Killing…' : 'Kill flag'}
      </button>
      <div className="emergency-result" aria-live="polite" data-testid="kill-result">
        {kill.result?.ok === true && (
          <span className="kill-done">
            {kill.result.value.event.flag ?? 'flag'} is off (recorded as event #{kill.result.value.event.seq})
          </span>
        )}
        {kill.result?.ok === false && <ErrorNotice error={kill.result.error} context="Kill refused" />}
      </div>
    </form>
  )
}
