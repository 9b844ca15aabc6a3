/**
 * Migrations of the operated service's database, as the console and the CLI show them.
 * Plain data: produced in main (core/migration-status, services/migration-runner), read anywhere.
 */

/** The highest migration version: the ledger keeps versions in a Postgres integer column. */
export const MAX_MIGRATION_VERSION = 2_147_483_647

/** A database object as the catalog names it; `table` is set for indexes, constraints and triggers. */
export interface CatalogObject {
  kind: CatalogObjectKind
  schema: string
  name: string
  table?: string
  /** Constraints: p (primary key), f (foreign key), u (unique), c (check), x (exclusion), t (trigger). */
  constraintType?: string
  /** Functions and procedures: the argument types, since names alone do not identify an overload. */
  arguments?: string
}

export const CATALOG_OBJECT_KINDS = [
  'schema',
  'table',
  'view',
  'materialized_view',
  'sequence',
  'index',
  'constraint',
  'function',
  'type',
  'trigger'
] as const
export type CatalogObjectKind = (typeof CATALOG_OBJECT_KINDS)[number]

/**
 * applied: in the ledger, file unchanged. pending: file not yet applied. changed: applied, but the
 * file's checksum differs now. missing: in the ledger, file gone. failed: the ledger holds a failed
 * attempt (only a migration run outside a transaction can leave one).
 */
export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing' | 'failed'

export interface MigrationStatusEntry {
  version: number
  name: string
  state: MigrationState
  /** The forward file's name, null when the file is missing. */
  file: string | null
  /** The rollback file's name, null when there is none (or the migration is missing). */
  rollbackFile: string | null
  /** Checksum of the file as it is now (null when missing). */
  fileChecksum: string | null
  /** Checksum the ledger recorded at apply time (null when never applied). */
  appliedChecksum: string | null
  /** ISO 8601, when applied (or attempted, for failed). */
  appliedAt: string | null
  appliedBy: string | null
  durationMs: number | null
  transactional: boolean
}

export interface MigrationStatusReport {
  entries: MigrationStatusEntry[]
  /** Highest version applied successfully, 0 when none. */
  currentVersion: number
  /** True when a changed, missing or failed migration blocks migrate until `rampart db repair`. */
  blocked: boolean
  /** Why it is blocked, naming each file; null when not blocked. */
  blockedReason: string | null
  /** True when the database has no history table yet (nothing was ever applied by Rampart). */
  ledgerMissing: boolean
}

type MigrationStep = 'connect' | 'lock' | 'ledger' | 'plan' | 'apply' | 'applied' | 'failed' | 'repair' | 'done'

export interface MigrationProgress {
  step: MigrationStep
  message: string
  version?: number
  /** Milliseconds the step took, on steps that finish something. */
  durationMs?: number
}

export interface AppliedMigration {
  version: number
  name: string
  checksum: string
  durationMs: number
  transactional: boolean
  created: CatalogObject[]
  dropped: CatalogObject[]
}

export interface MigrationRunResult {
  database: string
  fromVersion: number
  toVersion: number
  applied: AppliedMigration[]
  /** Set when nothing was pending. */
  upToDate: boolean
}

export interface RepairAction {
  version: number
  name: string
  /** realigned: checksum updated to the file's; removed: a failed or missing row was deleted. */
  action: 'realigned' | 'removed'
  fromChecksum: string | null
  toChecksum: string | null
}

export interface MigrationRepairResult {
  database: string
  actions: RepairAction[]
}
