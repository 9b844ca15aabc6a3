import type { AppContext, Services } from '@main/app/app-context'
import type { Clock } from '@main/platform/clock'
import { systemClock } from '@main/platform/clock'

export interface CliRuntimeOptions {
  workspacePath?: string
  env: NodeJS.ProcessEnv
  cwd: string
  clock?: Clock
  /** Told once when opening the history file moved an unreadable one aside. */
  onHistoryWarning?: (warning: string) => void
}

/**
 * What a command may need, created on first use: `flags eval --flag-config` runs without a
 * workspace or history file, everything else opens them once.
 */
export class CliRuntime {
  private context: Promise<AppContext> | null = null

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
        // Moved aside by this very open: say it with what to do next (the note beside the file has it).
        const moved = context.services.store.warning
        if (moved !== undefined) this.options.onHistoryWarning?.(context.services.history.warning ?? moved)
        return context
      })
    )
    return this.context
  }

  async services(): Promise<Services> {
    return (await this.appContext()).services
  }

  async close(): Promise<void> {
    if (this.context === null) return
    const context = await this.context.catch(() => null)
    context?.close()
  }
}
