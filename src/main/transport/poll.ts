import { setTimeout as sleep } from 'node:timers/promises'

/** Runs `check` now and then every `intervalMs` until `signal` aborts; an abort ends the wait at once. */
export async function pollUntilAborted(
  intervalMs: number,
  signal: AbortSignal,
  check: () => Promise<void>
): Promise<void> {
  while (!signal.aborted) {
    await check()
    try {
      await sleep(intervalMs, undefined, { signal })
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }
}
