import path from 'node:path'
import type { DbBackup } from '@shared/db-types'
import { backupPathSegments } from './core/backup-file-name'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'
import type { DockerEngine } from '@main/docker/docker-engine'
import { dumpDatabase, type ContainerDatabase } from './postgres-container-backup'
import type { PostgresTarget } from './postgres-target'
import type { Clock } from '@main/platform/clock'
import type { DbOperationJournal } from './db-operation-journal'

export const BACKUP_OPERATION_KIND = 'backup'

/** The environment's database as the tools inside its container reach it. */
export function containerDatabase(
  config: EnvironmentConfig,
  target: PostgresTarget,
  engine: DockerEngine
): ContainerDatabase {
  const pg = config.postgres
  return {
    engine,
    container: pg.container,
    user: target.settings.user,
    password: target.settings.password,
    database: target.database,
    ...(pg.network === 'host' ? { port: pg.port } : {})
  }
}

/**
 * A pg_dump of the environment's database into $RAMPART_HOME/backups/<env>/<db>-<time>.dump,
 * recorded as its own `backup` operation with the file and its SHA-256, so the record exists
 * even if what follows the backup crashes. Restore trusts only these records.
 */
export async function takeBackup(
  deps: { journal: DbOperationJournal; clock: Clock; backupsDirectory: string },
  request: { environment: string; target: PostgresTarget; source: ContainerDatabase; reason: string }
): Promise<DbBackup> {
  const file = path.join(
    deps.backupsDirectory,
    ...backupPathSegments(request.environment, request.source.database, deps.clock.now())
  )
  return deps.journal.track(
    {
      kind: BACKUP_OPERATION_KIND,
      environment: request.environment,
      database: request.target.describe(),
      detail: { file, reason: request.reason, container: request.source.container }
    },
    async (operation) => ({ ...(await dumpDatabase(request.source, file)), operationId: operation.id }),
    (backup) => ({
      detail: { file: backup.file, bytes: backup.bytes, reason: request.reason, container: request.source.container },
      backupFile: backup.file,
      backupSha256: backup.sha256
    })
  )
}
