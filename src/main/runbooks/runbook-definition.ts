/**
 * What a runbook is, apart from who runs it: its steps, the notes they share, and how a registered
 * one is rebuilt from its recorded input. The runner and the registry both read these types, so
 * they live here and neither imports the other for them.
 */

/** What a step's earlier attempts and earlier steps recorded for the steps after a resume (JSON values, no secrets). */
export interface RunNotes {
  get<T = unknown>(key: string): T | undefined
  /** Written through to the history file at once, so a crash right after keeps it. */
  set(key: string, value: unknown): void
  all(): Readonly<Record<string, unknown>>
}

/** What a step gets besides the context: its run, the cancel signal, the run's notes. */
export interface StepTools {
  runId: number
  /** Aborted when the run is cancelled; only cancellable steps are given a signal that can abort. */
  signal: AbortSignal
  notes: RunNotes
}

/**
 * One step: a name the operator reads, and the work. It may report progress lines while it runs.
 * Steps of a resumable runbook must be idempotent: a resume re-runs the step a crash interrupted.
 */
export interface RunbookStep<Context> {
  name: string
  /** True when stopping the step halfway is safe (a wait, a poll): it then gets a live signal. */
  cancellable?: boolean
  /** Returns a one-line summary of what it did (shown and recorded). */
  run(context: Context, report: (message: string) => void, tools: StepTools): Promise<string | void>
}

export interface RunbookDefinition<Context> {
  runbook: string
  environment: string
  flag?: string | null
  reason?: string | null
  steps: ReadonlyArray<RunbookStep<Context>>
  /** What the run was asked to do, recorded with it (no secrets). */
  input?: unknown
  /** The run's result once every step is done (recorded, returned in the view). */
  result?: (context: Context, notes: RunNotes) => unknown
}

/** A runbook ready to run: its steps, and the in-memory context they share. */
export interface RunbookBuild<Context> {
  definition: RunbookDefinition<Context>
  context: Context
}

/**
 * A runbook that can be started by name and rebuilt from its recorded input after a crash.
 * `parseInput` checks a fresh request and a recorded one alike, so a record from an older build
 * that no longer fits is refused with the field named, never run half-understood.
 */
export interface RegisteredRunbook<Input = unknown, Context = unknown> {
  name: string
  parseInput(input: unknown): Input
  build(input: Input): RunbookBuild<Context> | Promise<RunbookBuild<Context>>
}
