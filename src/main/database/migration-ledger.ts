import type { CatalogObject } from '@shared/migration-types'
import type { MigrationLedgerRow } from './core/migration-status'
import { quoteIdentifier, type PostgresSession } from './postgres-target'

const LEDGER_TABLE = 'rampart_schema_history'

/** A ledger row as the runner writes it. */
export interface NewLedgerRow {
  version: number
  name: string
  checksum: string
  appliedAt: Date
  appliedBy: string
  durationMs: number
  success: boolean
  transactional: boolean
  created: CatalogObject[]
  dropped: CatalogObject[]
}

/**
 * The history table in the target database. Each applied migration's row is written in the
 * migration's own transaction, with the objects it created (from the catalog), so a rollback
 * can later check that exactly those are gone.
 */
export class MigrationLedger {
  readonly table: string

  constructor(
    private readonly session: PostgresSession,
    readonly schema = 'public'
  ) {
    this.table = `${quoteIdentifier(schema)}.${quoteIdentifier(LEDGER_TABLE)}`
  }

  async exists(): Promise<boolean> {
    const rows = await this.session.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
      this.table
    ])
    return rows[0]?.found === true
  }

  async ensure(): Promise<void> {
    await this.session.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        version         integer PRIMARY KEY CHECK (version > 0),
        name            text NOT NULL,
        checksum        text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
        applied_at      timestamptz NOT NULL,
        applied_by      text NOT NULL,
        duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
        success         boolean NOT NULL,
        transactional   boolean NOT NULL,
        created_objects jsonb NOT NULL DEFAULT '[]',
        dropped_objects jsonb NOT NULL DEFAULT '[]',
        repaired_at     timestamptz,
        repaired_by     text
      )`)
  }

  /** All rows in version order, or null when the table does not exist yet. */
  async read(): Promise<MigrationLedgerRow[] | null> {
    if (!(await this.exists())) return null
    const rows = await this.session.query<{
      version: number
      name: string
      checksum: string
      applied_at: Date
      applied_by: string
      duration_ms: number
      success: boolean
      transactional: boolean
    }>(
      `SELECT version, name, checksum, applied_at, applied_by, duration_ms, success, transactional
         FROM ${this.table} ORDER BY version`
    )
    return rows.map((row) => ({
      version: row.version,
      name: row.name,
      checksum: row.checksum,
      appliedAt: row.applied_at.toISOString(),
      appliedBy: row.applied_by,
      durationMs: row.duration_ms,
      success: row.success,
      transactional: row.transactional
    }))
  }

  async record(row: NewLedgerRow): Promise<void> {
    await this.session.query(
      `INSERT INTO ${this.table}
         (version, name, checksum, applied_at, applied_by, duration_ms, success, transactional,
          created_objects, dropped_objects)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)`,
      [
        row.version,
        row.name,
        row.checksum,
        row.appliedAt,
        row.appliedBy,
        Math.round(row.durationMs),
        row.success,
        row.transactional,
        JSON.stringify(row.created),
        JSON.stringify(row.dropped)
      ]
    )
  }

  /** What a migration created, as recorded when it was applied; null when the version has no row. */
  async createdObjects(version: number): Promise<CatalogObject[] | null> {
    const rows = await this.session.query<{ created_objects: CatalogObject[] }>(
      `SELECT created_objects FROM ${this.table} WHERE version = $1`,
      [version]
    )
    return rows[0]?.created_objects ?? null
  }

  async realign(version: number, name: string, checksum: string, at: Date, by: string): Promise<void> {
    await this.session.query(
      `UPDATE ${this.table} SET name = $2, checksum = $3, repaired_at = $4, repaired_by = $5 WHERE version = $1`,
      [version, name, checksum, at, by]
    )
  }

  async remove(version: number): Promise<void> {
    await this.session.query(`DELETE FROM ${this.table} WHERE version = $1`, [version])
  }
}
