import type { DbStatusResult } from '@shared/db-types'
import { durationMsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'
import { MIGRATION_STATE_TEXT, shortChecksum } from './db-text'

/** Every migration, the ledger against the files: version, state, checksum, when, by whom, how long. */
export function MigrationTable({ status }: { status: DbStatusResult }) {
  return (
    <>
      <p className="db-migrations-summary" data-testid="db-current-version">
        {status.ledgerMissing
          ? 'No migration history table yet: nothing was ever applied by Rampart.'
          : `At version ${status.currentVersion} (${status.database}).`}
      </p>
      {status.blocked && (
        <p className="error-notice" role="alert" data-testid="db-blocked">
          <strong>Migrate is blocked until repair: </strong>
          {status.blockedReason}
        </p>
      )}
      <div className="table-scroll" role="region" aria-label="Migrations" tabIndex={0}>
        <table className="db-table" data-testid="db-migrations">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Checksum</th>
              <th scope="col">Applied at</th>
              <th scope="col">By</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {status.entries.map((entry) => (
              <tr
                key={entry.version}
                className={`db-migration db-migration-${entry.state}`}
                data-testid="db-migration"
                data-version={entry.version}
                data-state={entry.state}
              >
                <td className="db-figure">{entry.version}</td>
                <td>{entry.name}</td>
                <td className="db-migration-state">{MIGRATION_STATE_TEXT[entry.state]}</td>
                <td className="db-checksum" title={checksumTitle(entry.fileChecksum, entry.appliedChecksum)}>
                  <code>{shortChecksum(entry.appliedChecksum ?? entry.fileChecksum)}</code>
                </td>
                <td title={entry.appliedAt ?? undefined}>
                  {entry.appliedAt === null ? '—' : instantText(entry.appliedAt)}
                </td>
                <td>{entry.appliedBy ?? '—'}</td>
                <td className="db-figure">{entry.durationMs === null ? '—' : durationMsText(entry.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

function checksumTitle(file: string | null, applied: string | null): string {
  return [`file: ${file ?? 'missing'}`, `applied: ${applied ?? 'not applied'}`].join('\n')
}
