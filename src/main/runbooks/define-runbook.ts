import type { z } from 'zod'
import { RampartError } from '@shared/errors'
import type { RunbookName, RunbookRunView } from '@shared/runbook-types'
import { describeIssues } from '@main/platform/input-validation'
import type { RegisteredRunbook, RunbookBuild, RunbookStep, RunNotes } from './runbook-definition'
import type { RunbookRunner, RunOptions } from './runbook-runner'

/** A run's notes by key, each value typed by the runbook's notes schema (a key it does not name does not compile). */
export interface TypedNotes<Notes> {
  get<Key extends keyof Notes & string>(key: Key): Notes[Key] | undefined
  /** Written through to the history file at once, so a crash right after keeps it. */
  set<Key extends keyof Notes & string>(key: Key, value: Notes[Key]): void
}

/** What a step gets: its run, the cancel signal (live only for a cancellable step), the notes, a progress line. */
export interface StepKit<Notes> {
  runId: number
  signal: AbortSignal
  notes: TypedNotes<Notes>
  report: (message: string) => void
}

/**
 * One step, typed by the notes it reads and writes, so only a runbook whose notes schema has them
 * can list it. Idempotent, like every step of a resumable runbook: a resume re-runs the step a
 * crash interrupted.
 */
export interface Step<Notes = object> {
  name: string
  /** True when stopping the step halfway is safe (a wait, a poll): it then gets a live signal. */
  cancellable?: boolean
  /** Returns a one-line summary of what it did (shown and recorded). */
  run: (kit: StepKit<Notes>) => Promise<string | void>
}

/** What every recorded input names, for the run's record and its events. */
interface RunLabels {
  environment: string
  reason: string
  flag?: string | null
}

export interface RunbookSpec<
  InputSchema extends z.ZodType<RunLabels>,
  NotesSchema extends z.ZodObject,
  Deps,
  Context,
  Result
> {
  name: RunbookName
  /** The recorded input: enough to rebuild the run after a crash, no secrets. */
  input: InputSchema
  /** What the steps leave for later steps and for a resume; checked when read back from the history file. */
  notes: NotesSchema
  /** What the steps share in memory, rebuilt from the input (and the app's services) after a crash. */
  context: (input: z.output<InputSchema>, deps: Deps) => Context
  /** One line a step; `false` leaves out a step this input does not need. */
  steps: (input: z.output<InputSchema>, context: Context) => ReadonlyArray<Step<z.output<NotesSchema>> | false>
  result: (input: z.output<InputSchema>, notes: TypedNotes<z.output<NotesSchema>>, context: Context) => Result
}

/**
 * A defined runbook bound to the app's services: what the registry needs, and a typed start. Its
 * steps hold their context already, so the runner's context is opaque to everyone else.
 */
export interface BoundRunbook<Input, Result> extends RegisteredRunbook<Input> {
  /** Starts it through the runner (so the registry knows it and the run can be resumed), returning its typed result. */
  start(input: Input, options?: RunOptions): Promise<{ result: Result; run: RunbookRunView }>
}

export interface DefinedRunbook<Input, Deps, Result> {
  name: RunbookName
  bind(deps: Deps & { runbooks: Pick<RunbookRunner, 'start'> }): BoundRunbook<Input, Result>
}

/**
 * Declares a resumable runbook once: its name, recorded input, typed notes, context and steps.
 * The runner stays untyped (it records notes as JSON); this is where they get their types.
 */
export function defineRunbook<
  InputSchema extends z.ZodType<RunLabels>,
  NotesSchema extends z.ZodObject,
  Deps,
  Context,
  Result
>(
  spec: RunbookSpec<InputSchema, NotesSchema, Deps, Context, Result>
): DefinedRunbook<z.output<InputSchema>, Deps, Result> {
  type Input = z.output<InputSchema>
  const parseInput = (input: unknown): Input => {
    const parsed = spec.input.safeParse(input)
    if (!parsed.success)
      throw new RampartError('bad_input', describeIssues(parsed.error), { issues: parsed.error.issues })
    return parsed.data
  }
  return {
    name: spec.name,
    bind: (deps) => {
      const build = (input: Input): RunbookBuild<unknown> => {
        const context = spec.context(input, deps)
        const steps = spec.steps(input, context).filter((step) => step !== false)
        return {
          context,
          definition: {
            runbook: spec.name,
            environment: input.environment,
            flag: input.flag ?? null,
            reason: input.reason,
            input,
            steps: steps.map((step) => runnerStep(spec.notes, step)),
            result: (_context, notes) => spec.result(input, typedNotes(spec.notes, notes), context)
          }
        }
      }
      return {
        name: spec.name,
        parseInput,
        build,
        start: async (input, options) => {
          const run = await deps.runbooks.start(spec.name, input, options)
          // The registry builds this name from this definition, so its recorded result is a Result.
          return { result: run.result as Result, run }
        }
      }
    }
  }
}

/** The runner's view of a step: it hands every step the context, which a defined step already holds. */
function runnerStep<Notes>(schema: z.ZodObject, step: Step<Notes>): RunbookStep<unknown> {
  return {
    name: step.name,
    ...(step.cancellable === undefined ? {} : { cancellable: step.cancellable }),
    run: (_context, report, tools) =>
      step.run({ runId: tools.runId, signal: tools.signal, notes: typedNotes(schema, tools.notes), report })
  }
}

/**
 * Checks every recorded note the schema names before a step (or the result) reads any: a note
 * written by another version of Rampart that no longer fits is refused with its key named,
 * instead of being read half-understood. Keys the schema does not name are left alone.
 */
function typedNotes<Notes>(schema: z.ZodObject, raw: RunNotes): TypedNotes<Notes> {
  for (const [key, value] of Object.entries(raw.all())) {
    const field = schema.shape[key]
    if (field === undefined || value === undefined) continue
    const parsed = field.safeParse(value)
    if (!parsed.success) {
      throw new RampartError(
        'refused',
        `the run's note "${key}" does not fit this version of Rampart ` +
          `(${describeIssues(parsed.error, key)}); it was recorded by another version: start the runbook again`
      )
    }
  }
  return {
    get: (key) => raw.get(key),
    set: (key, value) => raw.set(key, value)
  }
}
