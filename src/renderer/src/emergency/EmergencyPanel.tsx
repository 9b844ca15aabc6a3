import { useId, useState, type FormEvent } from 'react'
import type { FlagView } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import type { RunbookProgressLog } from '@renderer/runbooks/useRunbookProgress'
import { emergencyTarget } from './emergency-target'
import { EmergencyResult } from './EmergencyResult'
import { useEmergencyRollback } from './useEmergencyRollback'

interface EmergencyPanelProps {
  /** The console's environment: the action acts in it. Null until the workspace is read. */
  environment: string | null
  /** The flags of that environment. */
  flags: FlagView[] | null
  /** The flag on screen (the Rollout panel in view, the flag chosen on the Flags page). */
  flagOnScreen: string | null
  progress: RunbookProgressLog
  /** Called once a run ended, so the page shows the new state at once. */
  onFinished: () => void
}

/**
 * The one emergency action, always in the header: the emergency rollback runbook (flag off,
 * service restarted when its source is an env file, health verified). It always names the flag
 * and the environment it acts on; the flag is the one on screen unless the operator types another
 * (the field filters the environment's flags), never silently the first of a list. No dialog pops
 * up; the reason field is the deliberate step, and main refuses an empty one.
 */
export function EmergencyPanel({ environment, flags, flagOnScreen, progress, onFinished }: EmergencyPanelProps) {
  const rollback = useEmergencyRollback(progress)
  // What the operator typed in the flag field, for the environment it was typed in.
  const [typed, setTyped] = useState<{ environment: string | null; text: string } | null>(null)
  const [reason, setReason] = useState('')
  const focusAfterRender = useFocusAfterRender()
  const ids = { flag: useId(), flags: useId(), reason: useId(), hint: useId(), result: useId() }
  const views = flags ?? []
  const fieldText = typed !== null && typed.environment === environment ? typed.text : (flagOnScreen ?? '')
  const target = emergencyTarget(views, fieldText)
  const running = rollback.attempt?.phase === 'running'

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (target === null || running) return
    await rollback.start({ environment: target.environment, flag: target.flag, reason })
    onFinished()
    // The run's verdict, not <body>: the focused button was relabelled, the result is what matters now.
    focusAfterRender(ids.result)
  }

  const dismiss = () => {
    rollback.dismiss()
    focusAfterRender(ids.reason)
  }

  const attempt = rollback.attempt
  const label =
    attempt?.phase === 'running'
      ? `Rolling back ${attempt.target.flag} in ${attempt.target.environment}…`
      : target !== null
        ? `Emergency rollback: ${target.flag} in ${target.environment}`
        : environment === null
          ? 'Emergency rollback: reading the workspace…'
          : `Emergency rollback in ${environment}: choose a flag`

  return (
    <form className="emergency" onSubmit={submit} aria-label="Emergency rollback">
      <div className="emergency-field emergency-field-flag">
        <label htmlFor={ids.flag}>Flag</label>
        <input
          id={ids.flag}
          list={ids.flags}
          value={fieldText}
          onChange={(event) => setTyped({ environment, text: event.target.value })}
          placeholder="type to find a flag"
          autoComplete="off"
          spellCheck={false}
          readOnly={running}
          aria-describedby={ids.hint}
          data-testid="emergency-flag"
        />
        <datalist id={ids.flags}>
          {views.map((view) => (
            <option key={view.flag} value={view.flag} />
          ))}
        </datalist>
      </div>
      <div className="emergency-field emergency-field-reason">
        <label htmlFor={ids.reason}>Reason</label>
        <input
          id={ids.reason}
          className="emergency-reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          placeholder="Why (recorded)"
          maxLength={2000}
          autoComplete="off"
          readOnly={running}
        />
      </div>
      <BlockableButton
        type="submit"
        className="emergency-button"
        blocked={running || target === null}
        aria-describedby={ids.hint}
        data-testid="emergency-button"
      >
        {label}
      </BlockableButton>
      {/* Read with the button always; shown only when it has something the button does not say. */}
      <p
        className={target === null ? 'emergency-hint' : 'emergency-hint visually-hidden'}
        id={ids.hint}
        data-testid="emergency-hint"
      >
        {hintText(environment, views, fieldText, target)}
      </p>
      <EmergencyResult id={ids.result} rollback={rollback} onDismiss={dismiss} />
    </form>
  )
}

function hintText(
  environment: string | null,
  flags: readonly FlagView[],
  fieldText: string,
  target: FlagView | null
): string {
  if (environment === null) return 'Reading the workspace…'
  if (target !== null) return `Turns ${target.flag} off in ${target.environment}, restarts its service, checks health.`
  if (flags.length === 0) return `No flag to roll back in ${environment}.`
  if (fieldText.trim() === '') return `Type or pick the flag to roll back in ${environment}.`
  return `“${fieldText.trim()}” names no single flag of ${environment}: pick one from the list.`
}
