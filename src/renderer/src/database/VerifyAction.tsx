import { useId } from 'react'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useAction } from '@renderer/contract/useAction'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import type { DbActionProps } from './db-action'
import { VerificationResult } from './VerificationResult'

/** Read-only: the ledger's objects against the catalog, and every foreign key's orphaned rows. */
export function VerifyAction({ environment, database, onDone }: Omit<DbActionProps, 'progress'>) {
  const verify = useAction('db.verify')
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), outcome: useId() }
  const run = async () => {
    if (verify.pending) return
    await verify.run({ environment })
    focusAfterRender(ids.outcome)
    onDone()
  }
  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-verify">
      <h3 id={ids.heading}>Verify</h3>
      <p className="muted">Read-only: objects the applied migrations created are there, no row is orphaned.</p>
      <BlockableButton blocked={verify.pending} onClick={() => void run()} data-testid="db-verify-submit">
        {verify.pending ? 'Verifying…' : `Verify ${database}`}
      </BlockableButton>
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-verify-outcome">
        {verify.result?.ok === true && <VerificationResult verification={verify.result.value} />}
        {verify.result?.ok === false && (
          <ErrorNotice error={verify.result.error} context={`Verification of ${database} failed`} />
        )}
      </div>
    </section>
  )
}
