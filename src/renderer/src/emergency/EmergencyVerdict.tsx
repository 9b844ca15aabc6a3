import type { EmergencyAttempt } from './useEmergencyRollback'
import type { RunbookStepList } from '@renderer/runbooks/runbook-step-rows'
import { durationMsText } from '@renderer/format/duration-text'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

interface EmergencyVerdictProps {
  attempt: EmergencyAttempt
  steps: RunbookStepList | null
  /** The steps done before a failure are listed only with the steps unfolded: the header stays short. */
  detailsShown: boolean
}

/** How the emergency rollback ended, in one line: safe and how fast, or which step failed and why. */
export function EmergencyVerdict({ attempt, steps, detailsShown }: EmergencyVerdictProps) {
  if (attempt.phase === 'running') {
    return (
      <p className="emergency-verdict emergency-running" role="status" data-testid="emergency-verdict">
        Running the emergency rollback of {attempt.target.flag} in {attempt.target.environment}…
      </p>
    )
  }
  if (attempt.phase === 'safe') {
    const { result } = attempt.outcome
    return (
      <p className="emergency-verdict emergency-safe" role="status" data-testid="emergency-verdict">
        <strong>SAFE in {durationMsText(result.timeToSafeMs)}</strong>{' '}
        <span className="emergency-detail">
          {result.flag} is off in {result.environment}
          {result.alreadyDisabled ? ' (it already was)' : ''}
          {result.restarted ? ', service restarted' : ''}
          {result.healthCheck === '' ? '' : `, health: ${result.healthCheck}`}
        </span>
      </p>
    )
  }
  const failed = steps?.rows.find((row) => row.status === 'failed')
  if (failed === undefined) {
    // Without a failed step, main either refused to start or could not be reached at all.
    const { flag, environment } = attempt.target
    const context =
      attempt.error.code === 'unreachable'
        ? `Emergency rollback of ${flag} in ${environment}: no answer from main`
        : `Emergency rollback of ${flag} in ${environment} refused`
    return <ErrorNotice error={attempt.error} context={context} />
  }
  const done = steps?.rows.filter((row) => row.status === 'done') ?? []
  return (
    <div className="emergency-verdict emergency-failed" role="alert" data-testid="emergency-verdict">
      <strong>
        NOT SAFE: step {failed.index + 1} of {steps?.stepCount ?? '?'}, “{failed.name}”, failed.
      </strong>
      <p className="emergency-failure-message">
        {failed.message ?? attempt.error.message} <span className="error-code">({attempt.error.code})</span>
      </p>
      <p className="emergency-detail" hidden={!detailsShown}>
        Emergency rollback of {attempt.target.flag} in {attempt.target.environment}.{' '}
        {done.length === 0
          ? 'No step before it finished.'
          : `Done before it: ${done.map((row) => row.name).join('; ')}.`}
      </p>
    </div>
  )
}
