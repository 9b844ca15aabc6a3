import { useId, useState, type FormEvent } from 'react'
import type { MigrationStatusEntry } from '@shared/migration-types'
import { RUNBOOKS } from '@shared/runbook-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useRunbookOperation } from '@renderer/runbooks/useRunbookOperation'
import type { DbActionProps } from './db-action'
import { migrateTargets } from './db-text'
import { OperationProgress } from './OperationProgress'

interface MigrateActionProps extends DbActionProps {
  /** The migrations as the ledger and the files stand (null while unread). */
  entries: readonly MigrationStatusEntry[] | null
}

/** Applies the pending migrations, all of them or up to a version, each in its own transaction. */
export function MigrateAction({ environment, database, progress, onDone, entries }: MigrateActionProps) {
  const migrate = useRunbookOperation('db.migrate', RUNBOOKS.dbMigrate, progress)
  const [target, setTarget] = useState('')
  const focusAfterRender = useFocusAfterRender()
  const ids = { heading: useId(), target: useId(), outcome: useId() }
  const pending = migrateTargets(entries ?? [])
  const result = migrate.attempt?.phase === 'done' ? migrate.attempt.value : null
  // A version chosen before the list changed (it was applied meanwhile) no longer narrows anything.
  const toVersion = pending.some((entry) => String(entry.version) === target) ? Number(target) : undefined

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (migrate.running) return
    focusAfterRender(ids.outcome)
    await migrate.start(toVersion === undefined ? { environment } : { environment, toVersion })
    setTarget('')
    onDone()
  }

  return (
    <section className="db-action" aria-labelledby={ids.heading} data-testid="db-migrate">
      <h3 id={ids.heading}>Migrate</h3>
      <form className="db-form" onSubmit={submit} aria-labelledby={ids.heading}>
        <div className="db-field">
          <label htmlFor={ids.target}>Apply</label>
          <select
            id={ids.target}
            value={toVersion === undefined ? '' : target}
            onChange={(event) => setTarget(event.target.value)}
            data-testid="db-migrate-target"
          >
            <option value="">every pending migration ({pending.length})</option>
            {pending.map((entry) => (
              <option key={entry.version} value={entry.version}>
                up to version {entry.version} ({entry.name})
              </option>
            ))}
          </select>
        </div>
        <BlockableButton type="submit" blocked={migrate.running} data-testid="db-migrate-submit">
          {migrate.running ? 'Migrating…' : `Migrate ${database}`}
        </BlockableButton>
      </form>
      <div className="db-outcome" id={ids.outcome} tabIndex={-1} aria-live="polite" data-testid="db-migrate-outcome">
        <OperationProgress operation={migrate} label={`Migration of ${database}`} />
        {result !== null && (
          <p className="db-done" data-testid="db-migrate-result">
            {result.upToDate
              ? `Up to date at version ${result.toVersion}: nothing pending.`
              : `Applied ${result.applied.map((migration) => migration.version).join(', ')}: ` +
                `from version ${result.fromVersion} to ${result.toVersion}.`}
          </p>
        )}
      </div>
    </section>
  )
}
