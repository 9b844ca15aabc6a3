import { RampartError } from '@shared/errors'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'

/** Databases every cluster needs; setup connects to `postgres` to drop and create the test database. */
const MAINTENANCE_DATABASES = new Set(['postgres', 'template0', 'template1'])
// Postgres truncates longer names silently, so the database created would not be the one configured.
const MAX_IDENTIFIER_BYTES = 63

/**
 * Test-database setup drops the database: it is refused in protected environments, for a
 * database not marked disposable, for the cluster's own databases, and for a name Postgres
 * would shorten. Checked before anything is touched (or any secret resolved).
 */
export function refuseUnsafeTestDbSetup(environment: string, config: EnvironmentConfig, source: string): void {
  const { database, user } = config.postgres
  if (config.protected) {
    throw new RampartError(
      'refused',
      `Test-database setup drops and recreates "${database}"; ` +
        `environment "${environment}" is protected (protected: true in ${source}), so it is refused`
    )
  }
  if (!config.postgres.disposable) {
    throw new RampartError(
      'refused',
      `Test-database setup drops and recreates "${database}", ` +
        `which environment "${environment}" does not mark disposable ` +
        `(set postgres.disposable: true in ${source} only for a database you can lose)`
    )
  }
  if (MAINTENANCE_DATABASES.has(database)) {
    throw new RampartError(
      'refused',
      `Environment "${environment}" names "${database}" as its test database; ` +
        `setup will not drop a database the cluster itself needs (${source} postgres.database)`
    )
  }
  for (const [field, name] of [
    ['database', database],
    ['user', user]
  ] as const) {
    if (new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES) {
      throw new RampartError(
        'bad_input',
        `postgres.${field} "${name}" in ${source} ` +
          `is longer than Postgres's ${MAX_IDENTIFIER_BYTES}-byte limit for names`
      )
    }
    if (name.includes('\0')) throw new RampartError('bad_input', `postgres.${field} in ${source} holds a NUL character`)
  }
}
