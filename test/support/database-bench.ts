/**
 * A DatabaseService over real adapters for integration tests: a workspace built in memory with
 * the environments a test names, a history file in a temporary folder, the progress bus
 * recorded, and the Docker engine the test already holds. Containers setup creates get
 * rampart.test=1.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DockerEngine } from '@main/docker/docker-engine'
import { HistoryStore } from '@main/history/history-store'
import { toWorkspace, WorkspaceSchema } from '@main/workspace/core/workspace-schema'
import { systemClock } from '@main/platform/clock'
import { DatabaseService } from '@main/database/database-service'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import type { RunbookProgress } from '@shared/runbook-types'
import { TEST_LABELS } from './docker-test-env'

export const PROJECT_MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url))
const PASSWORD_VARIABLE = 'RAMPART_TEST_PG_PASSWORD'

export interface BenchEnvironment {
  postgres: Record<string, unknown>
  protected?: boolean
  migrations?: string
}

export interface DatabaseBench {
  dir: string
  backups: string
  history: HistoryStore
  progress: RunbookProgress[]
  service: DatabaseService
  close(): void
}

export function databaseBench(options: {
  engine: DockerEngine
  password: string
  environments: Record<string, BenchEnvironment>
  lockWaitMs?: number
}): DatabaseBench {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-db-'))
  const backups = path.join(dir, 'backups')
  const config = WorkspaceSchema.parse({
    environments: Object.fromEntries(
      Object.entries(options.environments).map(([name, environment]) => [
        name,
        {
          postgres: { password: `\${${PASSWORD_VARIABLE}}`, ...environment.postgres },
          protected: environment.protected ?? false,
          migrations: environment.migrations ?? PROJECT_MIGRATIONS
        }
      ])
    )
  })
  const history = HistoryStore.open(path.join(dir, 'history.db'))
  const bus = new ProgressBus()
  const progress: RunbookProgress[] = []
  bus.subscribe((item) => progress.push(item))
  const service = new DatabaseService({
    workspace: toWorkspace(config, path.join(dir, 'rampart.config.yaml'), dir),
    env: { [PASSWORD_VARIABLE]: options.password },
    history,
    runbooks: new RunbookRunner({ history, bus, clock: systemClock, actor: 'db-test' }),
    docker: { forEnvironment: () => options.engine },
    clock: systemClock,
    actor: 'db-test',
    backupsDirectory: backups,
    containerLabels: TEST_LABELS,
    readyTimeoutMs: 90_000,
    ...(options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs })
  })
  return {
    dir,
    backups,
    history,
    progress,
    service,
    close() {
      history.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
