import { loadWorkspace } from '@main/workspace/workspace-file'
import { createDatabaseService, type DatabaseService } from '@main/database/database-service'
import { DockerEngines } from '@main/docker/docker-engines'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import { RunbookRegistry } from '@main/runbooks/runbook-registry'
import { operatorName } from '@main/platform/operator'
import { systemClock } from '@main/platform/clock'
import type { AppContextOptions } from './app-context'
import { openHistory, type OpenedHistory } from './history-open'

export interface DatabaseContext extends Pick<OpenedHistory, 'historyNotices' | 'store' | 'history'> {
  database: DatabaseService
  progress: ProgressBus
  close(): void
}

/**
 * What the `rampart db` commands need: the workspace, the history file (every database operation
 * is recorded), the runbook runner that records them, and the environment's Docker engine (made on
 * first use). No flag sources, guards, logs, review or rollout services: a migration starts without
 * loading them.
 */
export function createDatabaseContext(options: AppContextOptions = {}): DatabaseContext {
  const env = options.env ?? process.env
  const clock = options.clock ?? systemClock
  const actor = options.actor ?? operatorName(env)
  const workspace = loadWorkspace({ explicitPath: options.workspacePath, env, cwd: options.cwd ?? process.cwd() })
  const { historyPath, store, history, historyNotices } = openHistory({ env, clock, actor })
  const docker = new DockerEngines(workspace, env)
  const progress = new ProgressBus()
  const runbooks = new RunbookRunner({
    history: { path: store.path, runbooks: store.runbooks, events: store.events },
    bus: progress,
    clock,
    actor,
    registry: new RunbookRegistry()
  })
  const database = createDatabaseService({
    workspace,
    env,
    historyPath,
    store: { path: store.path, events: store.events, operations: store.operations },
    runbooks,
    docker,
    clock,
    actor
  })
  return {
    database,
    progress,
    store,
    history,
    historyNotices,
    close: () => {
      docker.close()
      store.close()
    }
  }
}
