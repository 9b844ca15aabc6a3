/**
 * Results of the database operations (test-db setup, migrate, repair, rollback, restore,
 * verify) as the console and the CLI show them. Plain data; never a password.
 */
import type { CatalogObject, MigrationRepairResult, MigrationRunResult, MigrationStatusReport } from './migration-types'
import type { RunbookRunView } from './runbook-types'

/** A pg_dump file on the workstation, as recorded in the history file. */
export interface DbBackup {
  /** Absolute path. */
  file: string
  sha256: string
  bytes: number
  /** The db_operations row that records it. */
  operationId: number
}

/** Rows of one foreign key whose parent row is missing. */
export interface OrphanFinding {
  constraint: string
  /** `schema.table` holding the child rows. */
  table: string
  columns: string[]
  /** `schema.table` the key points at. */
  references: string
  referencedColumns: string[]
  /** Orphaned rows, counted up to ORPHAN_COUNT_LIMIT (the count stops there). */
  rows: number
}

export interface DbVerification {
  /** `user@host:port/database`. */
  database: string
  ok: boolean
  /** Objects a rolled back migration had created that still exist (rollback only). */
  remainingObjects: CatalogObject[]
  /** Objects the ledger says applied migrations created, which the catalog no longer has. */
  missingObjects: CatalogObject[]
  foreignKeysChecked: number
  orphans: OrphanFinding[]
  /** The database has no migration history table (nothing to compare the catalog with). */
  ledgerMissing: boolean
}

export interface TestDbSetupResult {
  environment: string
  container: string
  containerCreated: boolean
  /** Set when the container existed but was not running, or was just created. */
  containerStarted: boolean
  serverVersion: string | null
  database: string
  /** Version of the baseline migration applied, null when there is none. */
  baselineVersion: number | null
  /** Every version applied, the baseline included. */
  appliedVersions: number[]
  /** Seed files that ran, relative to the migrations folder. */
  seeds: string[]
  /** postgresql://user@host:port/database, never with the password. */
  connectionString: string
  /** Where the password comes from: `password from ${VAR}`. */
  password: string
  run: RunbookRunView
}

export interface RolledBackMigration {
  version: number
  name: string
  rollbackFile: string
  durationMs: number
  /** Objects its forward migration had created, all checked gone before COMMIT. */
  objectsRemoved: number
}

export interface DbRollbackResult {
  environment: string
  database: string
  fromVersion: number
  toVersion: number
  rolledBack: RolledBackMigration[]
  backup: DbBackup
  verification: DbVerification
  run: RunbookRunView
}

export interface DbRestoreResult {
  environment: string
  database: string
  backupFile: string
  sha256: string
  /** False when the checksum was not checked against a record (`force`). */
  checksumVerified: boolean
  bytes: number
  verification: DbVerification
  run: RunbookRunView
}

export interface DbMigrateResult extends MigrationRunResult {
  environment: string
  run: RunbookRunView
}

export interface DbRepairResult extends MigrationRepairResult {
  environment: string
  run: RunbookRunView
}

export interface DbStatusResult extends MigrationStatusReport {
  environment: string
  /** `user@host:port/database`. */
  database: string
}

/** A backup still on disk, for the Database page's restore list. */
interface DbBackupOnDisk extends DbBackup {
  takenAt: string
  /** `user@host:port/database` it was taken of. */
  database: string
}

/** The environment's Postgres at a glance (the Database page). Never the password. */
export interface DbOverview {
  environment: string
  protected: boolean
  disposable: boolean
  container: string
  /** 'unknown' when the Docker engine could not be asked (see problems). */
  containerState: string
  health: string | null
  /** Null when the server did not answer (see problems). */
  serverVersion: string | null
  /** `user@host:port/database`. */
  database: string
  /** postgresql://user@host:port/database, without the password. */
  connectionString: string
  /** Where the password comes from: `password from ${VAR}`. */
  password: string
  backups: DbBackupOnDisk[]
  /** What could not be read (the engine, the server), in words. */
  problems: string[]
}
