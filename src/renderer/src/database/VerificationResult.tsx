import type { DbVerification } from '@shared/db-types'
import type { CatalogObject } from '@shared/migration-types'

/** What main found when it checked the database: objects in place, and no orphaned row. */
export function VerificationResult({ verification }: { verification: DbVerification }) {
  const { remainingObjects, missingObjects, orphans } = verification
  return (
    <div
      className={verification.ok ? 'db-verification db-verification-ok' : 'db-verification db-verification-failed'}
      data-testid="db-verification"
      data-ok={verification.ok}
    >
      <p className="db-verification-verdict">
        <strong>{verification.ok ? 'Verified' : 'Verification FAILED'}</strong>: {verification.database},{' '}
        {verification.foreignKeysChecked} foreign key{verification.foreignKeysChecked === 1 ? '' : 's'} checked,{' '}
        {orphans.length === 0 ? 'no orphaned row' : `${orphans.length} with orphaned rows`}
        {verification.ledgerMissing ? '; no migration history table to compare the catalog with' : ''}.
      </p>
      {remainingObjects.length > 0 && (
        <ObjectList title="Still there after the rollback" objects={remainingObjects} testId="db-remaining" />
      )}
      {missingObjects.length > 0 && (
        <ObjectList
          title="Missing, though an applied migration created them"
          objects={missingObjects}
          testId="db-missing"
        />
      )}
      {orphans.length > 0 && (
        <ul className="db-orphans" data-testid="db-orphans">
          {orphans.map((orphan) => (
            <li key={`${orphan.table}/${orphan.constraint}`}>
              {orphan.table} ({orphan.columns.join(', ')}) → {orphan.references} ({orphan.referencedColumns.join(', ')}
              ): <strong>{orphan.rows}</strong> orphaned row{orphan.rows === 1 ? '' : 's'} ({orphan.constraint})
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function ObjectList({ title, objects, testId }: { title: string; objects: CatalogObject[]; testId: string }) {
  return (
    <div data-testid={testId}>
      <p className="db-verification-list-title">{title}:</p>
      <ul>
        {objects.map((object) => (
          <li key={`${object.kind}/${object.schema}/${object.table ?? ''}/${object.name}/${object.arguments ?? ''}`}>
            {object.kind} {object.schema}.{object.table === undefined ? '' : `${object.table}.`}
            {object.name}
          </li>
        ))}
      </ul>
    </div>
  )
}
