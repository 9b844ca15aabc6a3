import { userInfo } from 'node:os'
import { loadWorkspace } from './adapters/workspace-file'
import { HistoryStore } from './adapters/history-store'
import { resolveHistoryPath } from './adapters/history-path'
import type { Workspace } from './core/workspace-schema'
import type { Handlers, StreamProducers } from './contract-dispatch'
import { createHandlers, createStreamProducers } from './handlers'
import { systemClock, type Clock } from './services/clock'
import { createDatabaseService, type DatabaseService } from './services/database-service'
import { DockerEngines } from './services/docker-engines'
import { DemoStack } from './services/demo-stack'
import { parseContainerLabels } from './core/container-labels'
import { EnvironmentRegistry } from './services/environment-registry'
import { FlagService } from './services/flag-service'
import { HistoryService } from './services/history-service'
import { closeInterruptedDbOperations } from './services/interrupted-db-operations'
import { LogService } from './services/log-service'
import { ProgressBus } from './services/progress-bus'
import { RunbookRunner } from './services/runbook-runner'
import { RunbookRegistry } from './services/runbook-registry'
import { EmergencyRollback } from './services/emergency-rollback'
import { FullRollback } from './services/full-rollback'
import { ServiceRestartApplier } from './services/flag-change-apply'
import { GuardService } from './services/guard-service'
import { RolloutOrchestrator } from './services/rollout-orchestrator'
import { RolloutService } from './services/rollout-service'
import { WorkspaceService } from './services/workspace-service'

export interface AppContextOptions {
  workspacePath?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  clock?: Clock
  /** Who the records name; defaults to the OS user. */
  actor?: string
}

export interface Services {
  workspace: WorkspaceService
  flags: FlagService
  rollout: RolloutService
  history: HistoryService
  /** Live runbook progress in this process. */
  progress: ProgressBus
  runbooks: RunbookRunner
  /** The history file itself, for services that record runbooks and operations. */
  store: HistoryStore
  /** The Docker engine of each environment (created without I/O, on first use). */
  docker: DockerEngines
  logs: LogService
  database: DatabaseService
  /** The emergency rollback (kill) and the full rollback with database, as resumable runbooks. */
  emergencyRollback: EmergencyRollback
  fullRollback: FullRollback
  demo: DemoStack
  /** Live guard watches (guards watch, the guards.windows stream, the rollout orchestration). */
  guards: GuardService
  /** Moves applied to the running service, and the guarded rollout watch that acts on trips. */
  rolloutOrchestrator: RolloutOrchestrator
}

/** Everything the app, browser mode and the CLI share: one workspace, one history file, one set of services. */
export interface AppContext {
  workspace: Workspace
  historyPath: string
  services: Services
  handlers: Handlers
  producers: StreamProducers
  close(): void
}

export async function createAppContext(options: AppContextOptions = {}): Promise<AppContext> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const clock = options.clock ?? systemClock
  const actor = options.actor ?? operatorName(env)
  const workspace = loadWorkspace({ explicitPath: options.workspacePath, env, cwd })
  const historyPath = resolveHistoryPath(env)
  const store = HistoryStore.open(historyPath, { now: () => clock.now() })
  // Before anything new is recorded: an operation a killed process left open gets its ending.
  closeInterruptedDbOperations({ history: store })
  const environments = new EnvironmentRegistry(workspace, env)
  const history = new HistoryService(store)
  const docker = new DockerEngines(workspace, env)
  const progress = new ProgressBus()
  const registry = new RunbookRegistry()
  const runbooks = new RunbookRunner({ history: store, bus: progress, clock, actor, registry })
  const rollout = new RolloutService({ environments, history: store, clock, actor })
  const database = createDatabaseService({ workspace, env, historyPath, store, runbooks, docker, clock, actor })
  const emergencyRollback = new EmergencyRollback({ environments, docker, rollout, history: store, runbooks, clock, actor })
  const fullRollback = new FullRollback({ environments, docker, rollout, database, runbooks, clock, actor })
  // Registered before anything can ask to resume: a run is rebuilt from its name and recorded input.
  registry.register(emergencyRollback.runbook())
  registry.register(fullRollback.runbook())
  const logs = new LogService(docker, clock)
  const guards = new GuardService({ environments, logs, docker, history: store, clock, actor })
  const rolloutOrchestrator = new RolloutOrchestrator({
    rollout,
    guards,
    applier: new ServiceRestartApplier({ environments, docker, history: store }),
    environments,
    emergencyRollback
  })
  const services: Services = {
    workspace: new WorkspaceService(environments, { historyPath, historyWarning: history.warning, actor }),
    flags: new FlagService(environments, clock),
    rollout,
    history,
    progress,
    runbooks,
    store,
    docker,
    logs,
    database,
    emergencyRollback,
    fullRollback,
    demo: new DemoStack({
      workspace,
      env,
      docker,
      runbooks,
      history: store,
      containerLabels: parseContainerLabels(env.RAMPART_DEMO_LABELS, 'RAMPART_DEMO_LABELS')
    }),
    guards,
    rolloutOrchestrator
  }
  return {
    workspace,
    historyPath,
    services,
    handlers: createHandlers(services),
    producers: createStreamProducers(services),
    close: () => {
      docker.close()
      store.close()
    }
  }
}

/** The OS user, as DESIGN.md asks; `RAMPART_ACTOR` lets a shared jump host name the person. */
function operatorName(env: NodeJS.ProcessEnv): string {
  if (env.RAMPART_ACTOR !== undefined && env.RAMPART_ACTOR !== '') return env.RAMPART_ACTOR
  try {
    return userInfo().username
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown'
  }
}
