import { useId, useState, type FormEvent } from 'react'
import type { DbStatusResult } from '@shared/db-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { TypedConfirmation } from '@renderer/contract/TypedConfirmation'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { durationMsText } from '@renderer/format/duration-text'
import { useRunbookOperation } from '@renderer/runbooks/useRunbookOperation'
import type { DbActionProps } from './db-action'
import { bytesText, rollbackTargets } from './db-text'
import { OperationProgress } from './OperationProgress'
import { VerificationResult } from './VerificationResult'

interface RollbackActionProps extends DbActionProps {
  status: DbStatusResult | null
}

/**
 * Rolls back the newest migration, or down to a version: main takes a pg_dump backup first, runs
 * each rollback in a transaction that checks its objects are gone, then verifies the database.
 * The database name is typed; main compares it.
 */
export function RollbackAction({ environment, database, progress, onDone, status }: RollbackActionProps) {
  const rollback = useRunbookOperation('db.rollback', RUNBOOKS.dbRollback, progress)
  const [target, setTarget] = useState('')
  const [confirmation, setConfirmation] = useState('')
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), target: useId(), outcome: useId() }
  const current = status?.currentVersion ?? 0
  const targets = rollbackTargets(status?.entries ?? [], current)
  const toVersion = targets.some((choice) => String(choice.version) === target) ? Number(target) : undefined
  const result = rollback.attempt?.phase === 'done' ? rollback.attempt.value : null

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (rollback.running) return
    focusAfterRender(ids.outcome)
    await rollback.start({ environment, confirmation, ...(toVersion === undefined ? {} : { toVersion }) })
    setConfirmation('')
    setTarget('')
    onDone()
  }

  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-rollback">
      <h3 id={ids.heading}>Roll back</h3>
      <p className="muted">A pg_dump backup is taken first; the database is verified after.</p>
      <form className="db-form" onSubmit={submit} aria-labelledby={ids.heading}>
        <div className="db-field">
          <label htmlFor={ids.target}>Roll back</label>
          <select
            id={ids.target}
            value={toVersion === undefined ? '' : target}
            onChange={(event) => setTarget(event.target.value)}
            data-testid="db-rollback-target"
          >
            <option value="">the newest migration{current > 0 ? ` (version ${current})` : ''}</option>
            {targets.map((choice) => (
              <option key={choice.version} value={choice.version}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <TypedConfirmation
          expected={database}
          purpose="to roll it back"
          value={confirmation}
          onChange={setConfirmation}
          testId="db-rollback-confirmation"
        />
        <BlockableButton
          type="submit"
          className="db-danger"
          blocked={rollback.running}
          data-testid="db-rollback-submit"
        >
          {rollback.running ? 'Rolling back…' : `Back up and roll back ${database}`}
        </BlockableButton>
      </form>
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-rollback-outcome">
        <OperationProgress operation={rollback} label={`Rollback of ${database}`} />
        {result !== null && (
          <div className="db-done" data-testid="db-rollback-result">
            <p>
              Rolled back from version {result.fromVersion} to {result.toVersion}:{' '}
              {result.rolledBack
                .map(
                  (migration) =>
                    `${migration.version} ${migration.name} (${durationMsText(migration.durationMs)}, ` +
                    `${migration.objectsRemoved} objects removed)`
                )
                .join('; ')}
              .
            </p>
            <dl className="db-facts" data-testid="db-backup">
              <dt>Backup</dt>
              <dd>
                <code data-testid="db-backup-file">{result.backup.file}</code>
              </dd>
              <dt>SHA-256</dt>
              <dd>
                <code>{result.backup.sha256}</code>
              </dd>
              <dt>Size</dt>
              <dd>{bytesText(result.backup.bytes)}</dd>
            </dl>
            <VerificationResult verification={result.verification} />
          </div>
        )}
      </div>
    </section>
  )
}
