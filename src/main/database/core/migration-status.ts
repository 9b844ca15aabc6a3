import type { MigrationState, MigrationStatusEntry, MigrationStatusReport } from '@shared/migration-types'
import type { Migration } from './migration-files'

/** One row of the history table in the target database, as the runner reads it. */
export interface MigrationLedgerRow {
  version: number
  name: string
  checksum: string
  /** ISO 8601. */
  appliedAt: string
  appliedBy: string
  durationMs: number
  success: boolean
  transactional: boolean
}

const REPAIR_HINT = 'Inspect them, then run `rampart db repair` to accept the files as they are now.'

/**
 * Compares the migrations directory with the ledger, version by version. `ledger` is null when
 * the database has no history table yet. Changed, missing and failed migrations block all
 * further work until repaired: running on top of a history nobody can vouch for is how drift spreads.
 */
export function migrationStatus(
  migrations: readonly Migration[],
  ledger: readonly MigrationLedgerRow[] | null
): MigrationStatusReport {
  const rows = new Map((ledger ?? []).map((row) => [row.version, row]))
  const files = new Map(migrations.map((migration) => [migration.version, migration]))
  const versions = [...new Set([...files.keys(), ...rows.keys()])].sort((a, b) => a - b)

  const entries = versions.map((version): MigrationStatusEntry => {
    const file = files.get(version)
    const row = rows.get(version)
    return {
      version,
      name: file?.name ?? row!.name,
      state: stateOf(file, row),
      file: file?.fileName ?? null,
      rollbackFile: file?.rollback?.fileName ?? null,
      fileChecksum: file?.checksum ?? null,
      appliedChecksum: row?.checksum ?? null,
      appliedAt: row?.appliedAt ?? null,
      appliedBy: row?.appliedBy ?? null,
      durationMs: row?.durationMs ?? null,
      transactional: file?.transactional ?? row?.transactional ?? true
    }
  })

  const currentVersion = entries.reduce(
    (highest, entry) =>
      entry.state !== 'pending' && entry.state !== 'failed' && entry.version > highest ? entry.version : highest,
    0
  )
  const reasons = entries.flatMap((entry) => {
    const reason = blockingReason(entry, rows.get(entry.version))
    return reason === null ? [] : [reason]
  })
  return {
    entries,
    currentVersion,
    blocked: reasons.length > 0,
    blockedReason:
      reasons.length === 0
        ? null
        : `Migrations are blocked until repaired:\n${reasons.map((reason) => `  ${reason}`).join('\n')}\n` +
          REPAIR_HINT,
    ledgerMissing: ledger === null
  }
}

function stateOf(file: Migration | undefined, row: MigrationLedgerRow | undefined): MigrationState {
  if (row === undefined) return 'pending'
  if (!row.success) return 'failed'
  if (file === undefined) return 'missing'
  return file.checksum === row.checksum && file.name === row.name ? 'applied' : 'changed'
}

function blockingReason(entry: MigrationStatusEntry, row: MigrationLedgerRow | undefined): string | null {
  switch (entry.state) {
    case 'changed': {
      const renamed = row !== undefined && row.name !== entry.name ? ` (applied as "${row.name}")` : ''
      const edited =
        entry.fileChecksum !== entry.appliedChecksum
          ? `changed after it was applied on ${entry.appliedAt} by ${entry.appliedBy}: checksum was ` +
            `${short(entry.appliedChecksum)}, is now ${short(entry.fileChecksum)}`
          : `was renamed after it was applied on ${entry.appliedAt}`
      return `${entry.file}${renamed} ${edited}`
    }
    case 'missing':
      return (
        `version ${entry.version} (${entry.name}) is in the history, applied on ${entry.appliedAt}, ` +
        'but its file is gone'
      )
    case 'failed':
      return (
        `${entry.file ?? `version ${entry.version} (${entry.name}, file gone)`} ` +
        `failed on ${entry.appliedAt} outside a transaction and may be partly applied; check the database by hand`
      )
    default:
      return null
  }
}

function short(checksum: string | null): string {
  return checksum === null ? 'none' : checksum.slice(0, 12)
}
