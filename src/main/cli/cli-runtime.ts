import type { AppContext, Services } from '@main/app/app-context'
import type { Clock } from '@main/platform/clock'
import type { FlagService } from '@main/flags/flag-service'
import type { LogService } from '@main/docker/log-service'
import type { UnrecordedKill } from '@main/rollouts/unrecorded-kill'
import type { DatabaseContext } from '@main/app/database-context'
import type { OpenedHistory } from '@main/app/history-open'
import { systemClock } from '@main/platform/clock'

export interface CliRuntimeOptions {
  workspacePath?: string
  env: NodeJS.ProcessEnv
  cwd: string
  clock?: Clock
  /** Told once what opening the history file did: an unreadable one moved aside, journaled kills added. */
  onHistoryWarning?: (warning: string) => void
}

/**
 * What a command may need, created on first use: `flags eval --flag-config` runs without a
 * workspace or history file, everything else opens them once.
 */
export class CliRuntime {
  private context: Promise<AppContext> | null = null
  private flagsOnly: Promise<FlagService> | null = null
  private databaseOnly: Promise<Pick<DatabaseContext, 'database' | 'progress'>> | null = null
  private readonly closers: Array<() => void> = []

  constructor(private readonly options: CliRuntimeOptions) {}

  now(): Date {
    return (this.options.clock ?? systemClock).now()
  }

  appContext(): Promise<AppContext> {
    // Loaded on first use so that commands without a workspace (flags eval --flag-config)
    // start without opening SQLite, YAML and the rest.
    this.context ??= import('@main/app/app-context').then(({ createAppContext }) =>
      createAppContext({
        workspacePath: this.options.workspacePath,
        env: this.options.env,
        cwd: this.options.cwd,
        clock: this.options.clock
      }).then((context) => {
        this.sayHistoryWarnings({ ...context.services, historyNotices: context.historyNotices })
        return context
      })
    )
    return this.context
  }

  /**
   * The database service alone: the open context's when there is one, else one that loads only
   * the workspace, the history file, the runbook runner and (on first use) Docker.
   */
  database(): Promise<Pick<DatabaseContext, 'database' | 'progress'>> {
    if (this.context !== null) return this.context.then(({ services }) => services)
    this.databaseOnly ??= import('@main/app/database-context').then(({ createDatabaseContext }) => {
      const context = createDatabaseContext({
        workspacePath: this.options.workspacePath,
        env: this.options.env,
        cwd: this.options.cwd,
        clock: this.options.clock
      })
      this.closers.push(() => context.close())
      this.sayHistoryWarnings(context)
      return context
    })
    return this.databaseOnly
  }

  private sayHistoryWarnings(opened: Pick<OpenedHistory, 'store' | 'history' | 'historyNotices'>): void {
    // Moved aside by this very open: say it with what to do next (the note beside the file has it).
    const moved = opened.store.warning
    if (moved !== undefined) this.options.onHistoryWarning?.(opened.history.warning ?? moved)
    for (const notice of opened.historyNotices) this.options.onHistoryWarning?.(notice)
  }

  /**
   * The flag service alone: the open context's when there is one, else one that loads only the
   * workspace and the flag sources (no history file, database or Docker client).
   */
  async flags(): Promise<FlagService> {
    if (this.context !== null) return (await this.context).services.flags
    this.flagsOnly ??= import('@main/app/flags-context').then(
      ({ createFlagsContext }) =>
        createFlagsContext({
          workspacePath: this.options.workspacePath,
          env: this.options.env,
          cwd: this.options.cwd,
          clock: this.options.clock
        }).flags
    )
    return this.flagsOnly
  }

  /** The log service alone: the open context's when there is one, else one with only the workspace and Docker. */
  async logs(): Promise<LogService> {
    if (this.context !== null) return (await this.context).services.logs
    const { createLogsContext } = await import('@main/app/logs-context')
    const logsContext = createLogsContext({
      workspacePath: this.options.workspacePath,
      env: this.options.env,
      cwd: this.options.cwd,
      clock: this.options.clock
    })
    this.closers.push(() => logsContext.close())
    return logsContext.logs
  }

  async services(): Promise<Services> {
    return (await this.appContext()).services
  }

  /**
   * The emergency kill without the history file: the open context's when there is one, else one
   * built without opening the history (it could not be opened).
   */
  async unrecordedKill(): Promise<UnrecordedKill> {
    const opened = await this.context?.catch(() => null)
    if (opened !== null && opened !== undefined) return opened.services.unrecordedKill
    const { createKillContext } = await import('@main/app/app-context')
    const killContext = createKillContext({
      workspacePath: this.options.workspacePath,
      env: this.options.env,
      cwd: this.options.cwd,
      clock: this.options.clock
    })
    this.closers.push(() => killContext.close())
    return killContext.unrecordedKill
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) close()
    if (this.context === null) return
    const context = await this.context.catch(() => null)
    context?.close()
  }
}
