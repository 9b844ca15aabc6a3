import { useId, useState } from 'react'
import { RUNBOOKS } from '@shared/runbook-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { TypedConfirmation } from '@renderer/contract/TypedConfirmation'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useRunbookOperation } from '@renderer/runbooks/useRunbookOperation'
import { ConfirmStep } from './ConfirmStep'
import type { DbActionProps } from './db-action'
import { OperationProgress } from './OperationProgress'

interface RepairActionProps extends DbActionProps {
  /** Main asks for the database name typed in a protected environment. */
  protectedEnvironment: boolean
}

/**
 * Accepts the migration files as they are now: a changed migration's checksum is realigned, a
 * failed or missing row removed. Explicitly confirmed; in a protected environment the name is typed.
 */
export function RepairAction({ environment, database, progress, onDone, protectedEnvironment }: RepairActionProps) {
  const repair = useRunbookOperation('db.repair', RUNBOOKS.dbRepair, progress)
  const [confirming, setConfirming] = useState(false)
  const [confirmation, setConfirmation] = useState('')
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), start: useId(), outcome: useId() }
  const result = repair.attempt?.phase === 'done' ? repair.attempt.value : null

  const run = async () => {
    setConfirming(false)
    focusAfterRender(ids.outcome)
    await repair.start(protectedEnvironment ? { environment, confirmation } : { environment, confirm: true })
    setConfirmation('')
    onDone()
  }
  const cancel = () => {
    setConfirming(false)
    focusAfterRender(ids.start)
  }

  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-repair">
      <h3 id={ids.heading}>Repair the migration history</h3>
      <p className="muted">
        After an applied migration was edited, or a no-transaction migration failed: the ledger accepts the files as
        they are now. It changes no schema.
      </p>
      <BlockableButton
        id={ids.start}
        blocked={repair.running || confirming}
        onClick={() => setConfirming(true)}
        data-testid="db-repair-start"
      >
        {repair.running ? 'Repairing…' : 'Repair…'}
      </BlockableButton>
      {confirming && (
        <ConfirmStep
          question={`Accept the migration files of ${environment} as they are now, in the history of ${database}?`}
          confirmLabel={`Repair the history of ${database}`}
          onConfirm={() => void run()}
          onCancel={cancel}
          testId="db-repair-confirm"
        >
          {protectedEnvironment && (
            <TypedConfirmation
              expected={database}
              purpose="to confirm: this environment is protected"
              value={confirmation}
              onChange={setConfirmation}
              testId="db-repair-confirmation"
            />
          )}
        </ConfirmStep>
      )}
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-repair-outcome">
        <OperationProgress operation={repair} label={`Repair of ${database}`} />
        {result !== null && (
          <div className="db-done" data-testid="db-repair-result">
            {result.actions.length === 0 ? (
              <p>Nothing to repair: the ledger and the files agree.</p>
            ) : (
              <ul>
                {result.actions.map((action) => (
                  <li key={action.version}>
                    {action.version} {action.name}: {action.action}
                    {action.action === 'realigned' ? ` (checksum now ${action.toChecksum?.slice(0, 12) ?? '—'})` : ''}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  )
}
