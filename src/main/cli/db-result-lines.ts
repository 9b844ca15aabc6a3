import type {
  DbMigrateResult,
  DbRepairResult,
  DbRestoreResult,
  DbRollbackResult,
  DbStatusResult,
  DbVerification,
  TestDbSetupResult
} from '@shared/db-types'
import { describeCatalogObject } from '@main/database/core/catalog-presence'

/** What `rampart db …` prints for people once the work is done (progress came before). */

/** "1 init, 2 users": the migrations a run applied or rolled back. */
function migrationList(migrations: ReadonlyArray<{ version: number; name: string }>): string {
  return migrations.map((m) => `${m.version} ${m.name}`).join(', ')
}

export function statusLines(status: DbStatusResult): string[] {
  const lines = [
    `${status.database} [${status.environment}]  version ${status.currentVersion}` +
      `${status.ledgerMissing ? '  (no migration history table yet)' : ''}`
  ]
  for (const entry of status.entries) {
    const applied = entry.appliedAt === null ? '' : `  applied ${entry.appliedAt} by ${entry.appliedBy ?? '?'}`
    lines.push(`  ${String(entry.version).padStart(4)}  ${entry.state.padEnd(8)} ${entry.file ?? entry.name}${applied}`)
  }
  if (status.blocked)
    lines.push(
      `BLOCKED: ${status.blockedReason ?? 'see above'}`,
      'Run "rampart db repair" once the files are as they should be.'
    )
  return lines
}

export function setupLines(result: TestDbSetupResult): string[] {
  return [
    `Test database ready: ${result.connectionString} (${result.password})`,
    `  versions applied: ${result.appliedVersions.join(', ') || 'none'}; seeds: ${result.seeds.join(', ') || 'none'}`
  ]
}

export function migrateLines(result: DbMigrateResult): string[] {
  if (result.upToDate) return [`${result.database} is up to date at version ${result.toVersion}`]
  return [
    `${result.database}: version ${result.fromVersion} -> ${result.toVersion} ` +
      `(applied ${migrationList(result.applied)})`
  ]
}

export function repairLines(result: DbRepairResult): string[] {
  if (result.actions.length === 0) return [`${result.database}: nothing to repair`]
  return result.actions.map((action) => `  version ${action.version} (${action.name}): ${action.action}`)
}

export function rollbackLines(result: DbRollbackResult): string[] {
  return [
    `${result.database}: version ${result.fromVersion} -> ${result.toVersion} ` +
      `(rolled back ${migrationList(result.rolledBack)})`,
    `  backup: ${result.backup.file}`,
    `  sha256: ${result.backup.sha256}`,
    `  restore with: rampart db restore --env ${result.environment} --backup ${result.backup.file}`,
    ...verificationLines(result.verification)
  ]
}

export function restoreLines(result: DbRestoreResult): string[] {
  return [
    `${result.database}: restored from ${result.backupFile} ` +
      `(${result.bytes} bytes, sha256 ${result.checksumVerified ? 'matches the record' : 'NOT checked (--force)'})`,
    ...verificationLines(result.verification)
  ]
}

export function verificationLines(verification: DbVerification): string[] {
  const lines = [
    `  verification: ${verification.ok ? 'OK' : 'PROBLEMS'} (${verification.foreignKeysChecked} foreign keys checked` +
      `${verification.ledgerMissing ? ', no migration history to compare' : ''})`
  ]
  for (const object of verification.remainingObjects) lines.push(`    still present: ${describeCatalogObject(object)}`)
  for (const object of verification.missingObjects) lines.push(`    missing: ${describeCatalogObject(object)}`)
  for (const orphan of verification.orphans) {
    lines.push(
      `    orphaned: ${orphan.rows} row(s) in ${orphan.table}(${orphan.columns.join(', ')}) ` +
        `without ${orphan.references} [${orphan.constraint}]`
    )
  }
  return lines
}
