import { useId, useState } from 'react'
import { RUNBOOKS } from '@shared/runbook-types'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useRunbookOperation } from '@renderer/runbooks/useRunbookOperation'
import { ConfirmStep } from './ConfirmStep'
import type { DbActionProps } from './db-action'
import { OperationProgress } from './OperationProgress'

/** The one-step test database: container, drop, create, migrations and seeds, its ten steps live. */
export function SetupAction({ environment, database, progress, onDone }: DbActionProps) {
  const setup = useRunbookOperation('db.setup', RUNBOOKS.testDbSetup, progress)
  const [confirming, setConfirming] = useState(false)
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), start: useId(), outcome: useId() }
  const result = setup.attempt?.phase === 'done' ? setup.attempt.value : null

  const run = async () => {
    setConfirming(false)
    focusAfterRender(ids.outcome)
    await setup.start({ environment })
    onDone()
  }
  const cancel = () => {
    setConfirming(false)
    focusAfterRender(ids.start)
  }

  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-setup">
      <h3 id={ids.heading}>Test database setup</h3>
      <p className="muted">
        Starts (or creates) the Postgres container, drops <code>{database}</code>, creates it again, applies every
        migration and the seeds. Main refuses it unless the environment&rsquo;s database is disposable and the
        environment is not protected.
      </p>
      <BlockableButton
        id={ids.start}
        blocked={setup.running || confirming}
        onClick={() => setConfirming(true)}
        data-testid="db-setup-start"
      >
        {setup.running ? `Setting up ${database}…` : `Set up ${database}…`}
      </BlockableButton>
      {confirming && (
        <ConfirmStep
          question={`Drop ${database} in ${environment} and set it up again from the migrations and seeds?`}
          confirmLabel={`Drop and set up ${database}`}
          onConfirm={() => void run()}
          onCancel={cancel}
          testId="db-setup-confirm"
        />
      )}
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-setup-outcome">
        <OperationProgress operation={setup} label={`Setup of ${database}`} />
        {result !== null && (
          <p className="db-done" data-testid="db-setup-result">
            Set up {result.database} in {result.container}
            {result.containerCreated ? ' (container created)' : result.containerStarted ? ' (container started)' : ''}:
            versions {result.appliedVersions.join(', ') || 'none'} applied
            {result.seeds.length === 0 ? '' : `, seeds ${result.seeds.join(', ')}`}.{' '}
            <code>{result.connectionString}</code> ({result.password})
          </p>
        )}
      </div>
    </section>
  )
}
