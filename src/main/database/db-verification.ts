import type { CatalogObject } from '@shared/migration-types'
import type { DbVerification, OrphanFinding } from '@shared/db-types'
import {
  describeCatalogObject,
  expectedObjects,
  objectsMissing,
  objectsPresent,
  type LedgerObjects
} from './core/catalog-presence'
import { ORPHAN_COUNT_LIMIT, orphanCountQuery } from './core/orphan-check-query'
import { readForeignKeys } from './foreign-key-catalog'
import { quoteIdentifier, type PostgresSession } from './postgres-target'
import type { MigrationLedger } from './migration-ledger'

/**
 * Checks a database against what Rampart knows of it: objects that should be gone are gone,
 * objects that applied migrations created are still there, and no row's foreign key points at
 * nothing. Read-only.
 */

/** For every foreign key in the database, the rows whose parent is missing. */
async function findOrphans(
  session: PostgresSession
): Promise<{ foreignKeysChecked: number; orphans: OrphanFinding[] }> {
  const keys = await readForeignKeys(session)
  const orphans: OrphanFinding[] = []
  for (const key of keys) {
    const rows = await session.query<{ orphans: number }>(orphanCountQuery(key, quoteIdentifier))
    const count = rows[0]?.orphans ?? 0
    if (count > 0) {
      orphans.push({
        constraint: key.name,
        table: `${key.schema}.${key.table}`,
        columns: key.columns,
        references: `${key.referencedSchema}.${key.referencedTable}`,
        referencedColumns: key.referencedColumns,
        rows: count
      })
    }
  }
  return { foreignKeysChecked: keys.length, orphans }
}

/** The created and dropped objects of every successful migration in the ledger; null without a ledger. */
async function readLedgerObjects(session: PostgresSession, ledger: MigrationLedger): Promise<LedgerObjects[] | null> {
  if (!(await ledger.exists())) return null
  const rows = await session.query<{
    version: number
    created_objects: CatalogObject[]
    dropped_objects: CatalogObject[]
  }>(`SELECT version, created_objects, dropped_objects FROM ${ledger.table} WHERE success ORDER BY version`)
  return rows.map((row) => ({ version: row.version, created: row.created_objects, dropped: row.dropped_objects }))
}

/** After a rollback: the rolled back migrations' objects are gone, and nothing is orphaned. */
export async function verifyRollback(
  session: PostgresSession,
  removed: readonly CatalogObject[],
  database: string
): Promise<DbVerification> {
  const remainingObjects = objectsPresent(removed, await session.catalogSnapshot())
  const { foreignKeysChecked, orphans } = await findOrphans(session)
  return {
    database,
    ok: remainingObjects.length === 0 && orphans.length === 0,
    remainingObjects,
    missingObjects: [],
    foreignKeysChecked,
    orphans,
    ledgerMissing: false
  }
}

/** The whole database: the ledger's objects against the catalog, and every foreign key's rows. */
export async function verifyDatabase(
  session: PostgresSession,
  ledger: MigrationLedger,
  database: string
): Promise<DbVerification> {
  const entries = await readLedgerObjects(session, ledger)
  const missingObjects =
    entries === null ? [] : objectsMissing(expectedObjects(entries), await session.catalogSnapshot())
  const { foreignKeysChecked, orphans } = await findOrphans(session)
  return {
    database,
    ok: missingObjects.length === 0 && orphans.length === 0,
    remainingObjects: [],
    missingObjects,
    foreignKeysChecked,
    orphans,
    ledgerMissing: entries === null
  }
}

/** One line per problem, for messages and the terminal; empty when the verification passed. */
export function verificationProblems(verification: DbVerification): string[] {
  return [
    ...verification.remainingObjects.map((object) => `still present: ${describeCatalogObject(object)}`),
    ...verification.missingObjects.map(
      (object) => `missing: ${describeCatalogObject(object)} (recorded as created by an applied migration)`
    ),
    ...verification.orphans.map(
      (orphan) =>
        `orphaned rows: ${orphan.rows}${orphan.rows >= ORPHAN_COUNT_LIMIT ? '+' : ''} ` +
        `in ${orphan.table}(${orphan.columns.join(', ')}) ` +
        `with no parent in ${orphan.references}(${orphan.referencedColumns.join(', ')}) [${orphan.constraint}]`
    )
  ]
}

/** "12 foreign keys checked, no orphaned rows" and the like. */
export function describeVerification(verification: DbVerification): string {
  const problems = verificationProblems(verification)
  const keys = verification.foreignKeysChecked
  const checked = `${keys} foreign key${keys === 1 ? '' : 's'} checked`
  if (problems.length === 0) {
    const uncompared = verification.ledgerMissing ? ' (no migration history to compare the catalog with)' : ''
    return `${checked}, no orphaned rows${uncompared}`
  }
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} (${checked}): ${problems.join('; ')}`
}
