import type { WorkspaceView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useInvoke } from '@renderer/contract/useInvoke'
import type { RunbookProgressLog } from '@renderer/runbooks/useRunbookProgress'
import { MigrateAction } from './MigrateAction'
import { MigrationTable } from './MigrationTable'
import { PostgresOverview } from './PostgresOverview'
import { RepairAction } from './RepairAction'
import { RestoreAction } from './RestoreAction'
import { RollbackAction } from './RollbackAction'
import { SetupAction } from './SetupAction'
import { VerifyAction } from './VerifyAction'

interface DatabasePageProps {
  workspace: WorkspaceView | null
  /** The console's environment (the header's switch); the page is mounted again when it changes. */
  environment: string | null
  progress: RunbookProgressLog
  historyTick: number
}

/**
 * The environment's Postgres: how it stands, its migrations, and the developer's and operator's
 * database actions, each with its steps live and main's refusal shown beside it.
 */
export function DatabasePage({ workspace, environment, progress, historyTick }: DatabasePageProps) {
  const input = environment === null ? {} : { environment }
  const overview = useInvoke('db.overview', input, { refreshKey: historyTick })
  const status = useInvoke('db.status', input, { refreshKey: historyTick })
  const config = workspace?.environments.find((view) => view.name === environment) ?? null
  const reload = () => {
    overview.reload()
    status.reload()
  }

  return (
    <div className="database-page">
      <h1>Database{environment === null ? '' : ` in ${environment}`}</h1>
      <h2 className="section-title">Postgres</h2>
      {overview.error !== null && <ErrorNotice error={overview.error} context="Could not describe the database" />}
      {overview.value === null && overview.error === null && <p className="muted">Reading the database…</p>}
      {overview.value !== null && <PostgresOverview overview={overview.value} />}

      <h2 className="section-title">Migrations</h2>
      {status.error !== null && <ErrorNotice error={status.error} context="Could not read the migrations" />}
      {status.value === null && status.error === null && <p className="muted">Reading the migrations…</p>}
      {status.value !== null && <MigrationTable status={status.value} />}

      <h2 className="section-title">Actions</h2>
      {environment === null || config === null ? (
        <p className="muted">Reading the workspace…</p>
      ) : (
        <div className="db-actions">
          <SetupAction
            environment={environment}
            database={config.postgres.database}
            progress={progress}
            onDone={reload}
          />
          <MigrateAction
            environment={environment}
            database={config.postgres.database}
            progress={progress}
            onDone={reload}
            entries={status.value?.entries ?? null}
          />
          <RollbackAction
            environment={environment}
            database={config.postgres.database}
            progress={progress}
            onDone={reload}
            status={status.value}
          />
          <RestoreAction
            environment={environment}
            database={config.postgres.database}
            progress={progress}
            onDone={reload}
            backups={overview.value?.backups ?? []}
          />
          <VerifyAction environment={environment} database={config.postgres.database} onDone={reload} />
          <RepairAction
            environment={environment}
            database={config.postgres.database}
            progress={progress}
            onDone={reload}
            protectedEnvironment={config.protected}
          />
        </div>
      )}
    </div>
  )
}
