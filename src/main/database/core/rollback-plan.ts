import { RampartError } from '@shared/errors'
import type { MigrationStatusReport } from '@shared/migration-types'
import type { Migration, MigrationScript } from './migration-files'

/** One migration to roll back, with the script that does it. */
export interface RollbackStep {
  version: number
  name: string
  fileName: string
  rollback: MigrationScript
}

/**
 * Which migrations a rollback undoes, newest first: the newest applied one, or every applied one
 * above `toVersion` (0 for all). Refuses a blocked history (repair first), a database with
 * nothing applied, a target at or above the current version, and any migration in the range
 * without a rollback file or whose rollback opts out of the transaction, naming each file, so
 * nothing is touched unless every step can run.
 */
export function planRollback(
  migrations: readonly Migration[],
  report: MigrationStatusReport,
  toVersion: number | undefined,
  where: { directory: string; database: string }
): RollbackStep[] {
  if (report.blocked) {
    throw new RampartError(
      'refused',
      `${report.blockedReason ?? 'Migrations are blocked'}. Nothing was rolled back; run \`rampart db repair\` first.`
    )
  }
  const applied = report.entries.filter((entry) => entry.state === 'applied').sort((a, b) => b.version - a.version)
  if (applied.length === 0) {
    throw new RampartError('refused', `No migration is applied to ${where.database}; there is nothing to roll back`)
  }
  if (toVersion !== undefined && toVersion >= report.currentVersion) {
    throw new RampartError(
      'bad_input',
      `${where.database} is at version ${report.currentVersion}; rolling back to ${toVersion} would undo nothing ` +
        `(give a version below ${report.currentVersion}, or 0 for all)`
    )
  }
  const range = toVersion === undefined ? applied.slice(0, 1) : applied.filter((entry) => entry.version > toVersion)
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]))
  const problems: string[] = []
  const steps: RollbackStep[] = []
  for (const entry of range) {
    const migration = byVersion.get(entry.version)
    if (migration === undefined) {
      problems.push(`version ${entry.version} (${entry.name}) has no file in ${where.directory}`)
      continue
    }
    if (migration.rollback === null) {
      problems.push(
        `${where.directory}/${migration.fileName} has no rollback file ` +
          `(${migration.fileName.replace(/\.sql$/, '.down.sql')} or rollback_${migration.name}.sql)`
      )
      continue
    }
    if (!migration.rollback.transactional) {
      problems.push(
        `${where.directory}/${migration.rollback.fileName} opts out of the transaction; ` +
          'a rollback always runs in one, so remove its first-line header'
      )
      continue
    }
    steps.push({
      version: migration.version,
      name: migration.name,
      fileName: migration.fileName,
      rollback: migration.rollback
    })
  }
  if (problems.length > 0) {
    throw new RampartError(
      'refused',
      `Cannot roll back ${where.database}; nothing was changed:\n  ${problems.join('\n  ')}`,
      { problems }
    )
  }
  return steps
}
