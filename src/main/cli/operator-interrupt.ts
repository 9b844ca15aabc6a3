import type { CliIo } from './cli-io'

/**
 * Ctrl-C while a runbook runs: the first asks it to stop at its next safe point (recorded as
 * cancelled, resumable); a second one stops the process at once, which the run survives as an
 * interrupted run. Returns the signal to hand to the runbook and a function that uninstalls this.
 */
export function cancelOnInterrupt(io: CliIo): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController()
  const onInterrupt = (): void => {
    if (!controller.signal.aborted) {
      io.stderr.write(
        'rampart: stopping at the next safe point (the run stays resumable); press Ctrl-C again to stop at once\n'
      )
      controller.abort()
      return
    }
    process.off('SIGINT', onInterrupt)
    process.kill(process.pid, 'SIGINT')
  }
  process.on('SIGINT', onInterrupt)
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) }
}
