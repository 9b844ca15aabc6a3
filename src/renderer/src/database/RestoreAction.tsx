import { useId, useState, type FormEvent } from 'react'
import type { DbOverview } from '@shared/db-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { TypedConfirmation } from '@renderer/contract/TypedConfirmation'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { instantText } from '@renderer/format/instant-text'
import { useRunbookOperation } from '@renderer/runbooks/useRunbookOperation'
import type { DbActionProps } from './db-action'
import { baseName, bytesText } from './db-text'
import { OperationProgress } from './OperationProgress'
import { VerificationResult } from './VerificationResult'

interface RestoreActionProps extends DbActionProps {
  backups: DbOverview['backups']
}

/**
 * Restores one of the backups Rampart took (listed from the history file, still on disk): main
 * checks its SHA-256 against the record, restores in one transaction and verifies the database.
 */
export function RestoreAction({ environment, database, progress, onDone, backups }: RestoreActionProps) {
  const restore = useRunbookOperation('db.restore', RUNBOOKS.dbRestore, progress)
  const [chosen, setChosen] = useState('')
  const [confirmation, setConfirmation] = useState('')
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), backup: useId(), outcome: useId() }
  // Newest first; the newest is offered until the operator picks another.
  const listed = [...backups].sort((a, b) => b.operationId - a.operationId)
  const backup = listed.find((candidate) => candidate.file === chosen) ?? listed[0] ?? null
  const result = restore.attempt?.phase === 'done' ? restore.attempt.value : null

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (restore.running || backup === null) return
    focusAfterRender(ids.outcome)
    await restore.start({ environment, backupFile: backup.file, confirmation })
    setConfirmation('')
    onDone()
  }

  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-restore">
      <h3 id={ids.heading}>Restore a backup</h3>
      {listed.length === 0 ? (
        <p className="muted" data-testid="db-restore-none">
          No backup of this environment on disk: a rollback takes one first.
        </p>
      ) : (
        <form className="db-form" onSubmit={submit} aria-labelledby={ids.heading}>
          <div className="db-field db-field-wide">
            <label htmlFor={ids.backup}>Backup</label>
            <select
              id={ids.backup}
              value={backup?.file ?? ''}
              onChange={(event) => setChosen(event.target.value)}
              data-testid="db-restore-backup"
            >
              {listed.map((candidate) => (
                <option key={candidate.file} value={candidate.file}>
                  {baseName(candidate.file)} — {instantText(candidate.takenAt)}, {bytesText(candidate.bytes)}
                </option>
              ))}
            </select>
          </div>
          {backup !== null && (
            <p className="db-backup-chosen muted" data-testid="db-restore-chosen">
              {backup.file} of {backup.database}, SHA-256 <code>{backup.sha256.slice(0, 16)}…</code>
            </p>
          )}
          <TypedConfirmation
            expected={database}
            purpose="to restore it from this backup"
            value={confirmation}
            onChange={setConfirmation}
            testId="db-restore-confirmation"
          />
          <BlockableButton
            type="submit"
            className="db-danger"
            blocked={restore.running}
            data-testid="db-restore-submit"
          >
            {restore.running ? 'Restoring…' : `Restore ${database} from this backup`}
          </BlockableButton>
        </form>
      )}
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-restore-outcome">
        <OperationProgress operation={restore} label={`Restore of ${database}`} />
        {result !== null && (
          <div className="db-done" data-testid="db-restore-result">
            <p>
              Restored {result.database} from <code>{result.backupFile}</code> ({bytesText(result.bytes)}),{' '}
              {result.checksumVerified ? 'its SHA-256 matching the record' : 'its SHA-256 NOT checked'}.
            </p>
            <VerificationResult verification={result.verification} />
          </div>
        )}
      </div>
    </section>
  )
}
