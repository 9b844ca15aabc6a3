import { RampartError } from '@shared/errors'
import type { RunbookDefinition } from './runbook-runner'

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

/** Runbook names → how to build them: what `resume` needs to continue a run from its record. */
export class RunbookRegistry {
  private readonly runbooks = new Map<string, RegisteredRunbook>()

  register<Input, Context>(runbook: RegisteredRunbook<Input, Context>): void {
    if (this.runbooks.has(runbook.name))
      throw new RampartError('failed', `runbook "${runbook.name}" is registered twice`)
    this.runbooks.set(runbook.name, runbook as unknown as RegisteredRunbook)
  }

  get(name: string): RegisteredRunbook | undefined {
    return this.runbooks.get(name)
  }

  names(): string[] {
    return [...this.runbooks.keys()].sort()
  }
}
