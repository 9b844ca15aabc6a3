import { RampartError } from '@shared/errors'
import type { MigrationStatusReport } from '@shared/migration-types'
import type { Migration } from './migration-files'

/**
 * Which migrations `migrate` applies, in order: every pending one up to `toVersion` (all when
 * absent). Refuses a blocked history, a target below the current version (that is a rollback),
 * an unknown target, and a pending file numbered below one already applied, because applying it
 * now would run it after changes it was never written against.
 */
export function planMigrate(
  migrations: readonly Migration[],
  report: MigrationStatusReport,
  toVersion?: number
): Migration[] {
  if (report.blocked) throw new RampartError('refused', report.blockedReason ?? 'Migrations are blocked until repaired')

  if (toVersion !== undefined) {
    if (!migrations.some((migration) => migration.version === toVersion)) {
      const known = migrations.map((migration) => migration.version).join(', ') || 'none'
      throw new RampartError('bad_input', `There is no migration version ${toVersion} (versions: ${known})`)
    }
    if (toVersion < report.currentVersion) {
      throw new RampartError(
        'refused',
        `The database is at version ${report.currentVersion}, above the requested ${toVersion}; ` +
          'going down is a rollback (`rampart db rollback`), not a migrate'
      )
    }
  }

  const pending = new Set(report.entries.filter((entry) => entry.state === 'pending').map((entry) => entry.version))
  const stranded = migrations.filter(
    (migration) => pending.has(migration.version) && migration.version < report.currentVersion
  )
  if (stranded.length > 0) {
    throw new RampartError(
      'refused',
      `${stranded.map((migration) => migration.fileName).join(', ')} ` +
        `${stranded.length === 1 ? 'is' : 'are'} pending but ` +
        `numbered below version ${report.currentVersion}, which is already applied. Give ` +
        `${stranded.length === 1 ? 'it a version' : 'them versions'} above ${report.currentVersion}.`
    )
  }
  return migrations.filter(
    (migration) => pending.has(migration.version) && (toVersion === undefined || migration.version <= toVersion)
  )
}
