import { loadWorkspace } from '@main/workspace/workspace-file'
import type { HistoryStore } from '@main/history/history-store'
import { resolveHistoryPath } from '@main/history/history-path'
import type { Workspace } from '@main/workspace/core/workspace-schema'
import type { Handlers, StreamProducers } from '@main/transport/contract-dispatch'
import { createHandlers, createStreamProducers } from './contract-table'
import { systemClock, type Clock } from '@main/platform/clock'
import { createDatabaseService, type DatabaseService } from '@main/database/database-service'
import { DockerEngines } from '@main/docker/docker-engines'
import { ContainerService } from '@main/docker/container-service'
import { DemoStack } from '@main/demo/demo-stack'
import { parseContainerLabels } from '@main/demo/core/container-labels'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { FlagService } from '@main/flags/flag-service'
import type { HistoryService } from '@main/history/history-service'
import { LogService } from '@main/docker/log-service'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import { RunbookRegistry } from '@main/runbooks/runbook-registry'
import { EmergencyRollback } from '@main/runbooks/emergency-rollback'
import { FullRollback } from '@main/runbooks/full-rollback'
import { ServiceRestartApplier } from '@main/rollouts/flag-change-apply'
import { GuardService } from '@main/guards/guard-service'
import { RolloutOrchestrator } from '@main/guards/rollout-orchestrator'
import { AttentionService } from '@main/guards/attention'
import { GuardSupervisor } from '@main/guards/guard-supervisor'
import type { DesktopNotifier } from '@main/platform/desktop-notifier'
import { ReportExport } from '@main/review/report-export'
import { ReviewService } from '@main/review/review-service'
import { AppliedMoves } from '@main/rollouts/applied-moves'
import { operatorName } from '@main/platform/operator'
import { RolloutService } from '@main/rollouts/rollout-service'
import { UnrecordedKill } from '@main/rollouts/unrecorded-kill'
import { WorkspaceService } from '@main/workspace/workspace-service'
import { openHistory } from './history-open'

export interface AppContextOptions {
  workspacePath?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  clock?: Clock
  /** Who the records name; defaults to the OS user. */
  actor?: string
  /** The desktop's notifications (the Electron app); none in browser mode and the CLI. */
  notifier?: DesktopNotifier
  /** The guard supervision's pace (tests shorten it). */
  supervision?: { pollMs?: number; retryMs?: number }
}

export interface Services {
  workspace: WorkspaceService
  flags: FlagService
  rollout: RolloutService
  history: HistoryService
  /** Live runbook progress in this process. */
  progress: ProgressBus
  runbooks: RunbookRunner
  /**
   * The history file and all its records, for what reads them directly (the runbook list, tests);
   * services get only the records they use.
   */
  store: HistoryStore
  /** The Docker engine of each environment (created without I/O, on first use). */
  docker: DockerEngines
  logs: LogService
  database: DatabaseService
  /** The emergency rollback (kill) and the full rollback with database, as resumable runbooks. */
  emergencyRollback: EmergencyRollback
  fullRollback: FullRollback
  demo: DemoStack
  /** Live guard watches (guards watch, the rollout orchestration). */
  guards: GuardService
  /** Moves recorded and applied to the running service (restarted for an env file). */
  moves: AppliedMoves
  /** The guarded rollout watch that acts on trips. */
  rolloutOrchestrator: RolloutOrchestrator
  /** Breaches, trips and failed actions raised to the operator, each recorded. */
  attention: AttentionService
  /** Every enabled flag's guards watched from main; started by the app and `rampart serve`. */
  supervisor: GuardSupervisor
  /** The environment's containers, and the operator's restart, stop and start of one. */
  containers: ContainerService
  /** Past rollouts, their guard windows and reports, from the history file alone. */
  review: ReviewService
  reports: ReportExport
  clock: Clock
  /** The emergency kill when the history file cannot take it: written, restarted, verified, journaled. */
  unrecordedKill: UnrecordedKill
}

/** Everything the app, browser mode and the CLI share: one workspace, one history file, one set of services. */
export interface AppContext {
  workspace: Workspace
  historyPath: string
  /** Said once at start (the CLI on stderr): kills journaled while the history could not be written, now in it. */
  historyNotices: string[]
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
  const { historyPath, store, history, historyNotices } = openHistory({ env, clock, actor })
  const { events, rollouts, guardWindows, operations } = store
  const environments = new EnvironmentRegistry(workspace, env)
  const docker = new DockerEngines(workspace, env)
  const progress = new ProgressBus()
  const registry = new RunbookRegistry()
  const runbooks = new RunbookRunner({
    history: { path: store.path, runbooks: store.runbooks, events },
    bus: progress,
    clock,
    actor,
    registry
  })
  const rollout = new RolloutService({
    environments,
    history: { path: store.path, events, rollouts, guardWindows },
    clock,
    actor
  })
  const unrecordedKill = new UnrecordedKill({ environments, docker, historyPath: store.path, actor, clock })
  const database = createDatabaseService({
    workspace,
    env,
    historyPath,
    store: { path: store.path, events, operations },
    runbooks,
    docker,
    clock,
    actor
  })
  const emergencyRollback = new EmergencyRollback({
    environments,
    docker,
    rollout,
    history: { events },
    runbooks,
    clock,
    actor,
    unrecordedKill
  })
  const fullRollback = new FullRollback({ environments, docker, rollout, database, runbooks, clock, actor })
  // Registered before anything can ask to resume: a run is rebuilt from its name and recorded input.
  registry.register(emergencyRollback.runbook())
  registry.register(fullRollback.runbook())
  const logs = new LogService(docker, clock)
  const guards = new GuardService({
    environments,
    logs,
    docker,
    history: { path: store.path, events, guardWindows },
    clock,
    actor,
    env
  })
  const moves = new AppliedMoves({
    rollout,
    applier: new ServiceRestartApplier({ environments, docker, history: { operations } }),
    environments,
    unrecordedKill
  })
  const rolloutOrchestrator = new RolloutOrchestrator({ moves, guards, environments, emergencyRollback })
  const review = new ReviewService({ history: store })
  const attention = new AttentionService({ events: store.events, actor, notifier: options.notifier ?? null })
  const supervisor = new GuardSupervisor({
    environments,
    orchestrator: rolloutOrchestrator,
    attention,
    clock,
    ...options.supervision
  })
  const services: Services = {
    workspace: new WorkspaceService(workspace, { historyPath, historyWarning: () => history.warning, actor }),
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
      history: { operations },
      containerLabels: parseContainerLabels(env.RAMPART_DEMO_LABELS, 'RAMPART_DEMO_LABELS')
    }),
    guards,
    moves,
    rolloutOrchestrator,
    attention,
    supervisor,
    review,
    containers: new ContainerService({ workspace, docker, history: store, actor }),
    reports: new ReportExport({ review, history: store }),
    clock,
    unrecordedKill
  }
  return {
    workspace,
    historyPath,
    historyNotices,
    services,
    handlers: createHandlers(services),
    producers: createStreamProducers(services),
    close: () => {
      void supervisor.stop()
      docker.close()
      store.close()
    }
  }
}

/**
 * What the emergency kill needs when the history file cannot even be opened (a newer Rampart's
 * file, a locked or unreadable one): the workspace, the flag sources, Docker and the journal's
 * place. Nothing here opens the history file.
 */
export function createKillContext(options: AppContextOptions = {}): { unrecordedKill: UnrecordedKill; close(): void } {
  const env = options.env ?? process.env
  const clock = options.clock ?? systemClock
  const workspace = loadWorkspace({ explicitPath: options.workspacePath, env, cwd: options.cwd ?? process.cwd() })
  const environments = new EnvironmentRegistry(workspace, env)
  const docker = new DockerEngines(workspace, env)
  const unrecordedKill = new UnrecordedKill({
    environments,
    docker,
    historyPath: resolveHistoryPath(env),
    actor: options.actor ?? operatorName(env),
    clock
  })
  return { unrecordedKill, close: () => docker.close() }
}
