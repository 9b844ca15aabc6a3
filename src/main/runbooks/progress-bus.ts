import type { RunbookProgress } from '@shared/runbook-types'

export type ProgressListener = (progress: RunbookProgress) => void

/** Live progress of runbooks in this process, for the console's stream and the CLI's terminal output. */
export class ProgressBus {
  private readonly listeners = new Set<ProgressListener>()

  publish(progress: RunbookProgress): void {
    for (const listener of this.listeners) {
      try {
        listener(progress)
      } catch {
        // A broken viewer must never stop the runbook it is watching.
      }
    }
  }

  subscribe(listener: ProgressListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
