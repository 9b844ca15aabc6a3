import type { ContractError } from '@shared/errors'
import type { OperationName } from '@shared/contract/contract'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { RunbookSteps } from '@renderer/runbooks/RunbookSteps'
import type { RunbookOperation } from '@renderer/runbooks/useRunbookOperation'

interface OperationProgressProps<N extends OperationName> {
  operation: RunbookOperation<N>
  /** What it does, for the steps' name and the refusal's context: "Rollback of unicorn_test". */
  label: string
}

/**
 * A database runbook's steps as they run, then how it ended; a refusal (a confirmation that does
 * not match, a protected or not disposable environment) is shown here, beside the action.
 */
export function OperationProgress<N extends OperationName>({ operation, label }: OperationProgressProps<N>) {
  const { attempt, steps } = operation
  return (
    <>
      {attempt?.phase === 'running' && (
        <p className="db-running" role="status">
          {label}: running…
        </p>
      )}
      {steps !== null && <RunbookSteps list={steps} label={`Steps: ${label}`} />}
      {attempt?.phase === 'failed' && (
        <ErrorNotice error={attempt.error} context={failureContext(label, attempt.error)} />
      )}
    </>
  )
}

function failureContext(label: string, error: ContractError): string {
  return error.code === 'refused' ? `${label} refused` : `${label} failed`
}
