import { RampartError } from '@shared/errors'
import type { RegisteredRunbook } from './runbook-definition'

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
