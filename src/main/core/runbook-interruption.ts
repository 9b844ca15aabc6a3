import type { RunbookProcess } from '../../shared/runbook-types'

export interface LivenessFacts {
  /** The host asking. */
  host: string
  nowEpochMs: number
  /** A heartbeat older than this means the process stopped running the run (another host, a reused pid, a hung process). */
  staleAfterMs: number
  /** Whether the recorded pid exists, when it is on this host; null when it was not (or could not be) checked. */
  pidAlive: boolean | null
}

/**
 * Why a run recorded as 'running' is taken for interrupted, or null while its process may still
 * be running it. On this host a gone pid decides at once; a heartbeat that stopped decides
 * everywhere, which also covers a pid reused by an unrelated process after a crash.
 */
export function runInterruption(process: RunbookProcess | null, facts: LivenessFacts): string | null {
  if (process === null) return 'no process was recorded for it (a run from an older Rampart)'
  if (process.host === facts.host && facts.pidAlive === false) return `pid ${process.pid} on ${process.host} is gone`
  const heartbeatMs = Date.parse(process.heartbeatAt)
  if (Number.isNaN(heartbeatMs)) return `its heartbeat "${process.heartbeatAt}" is not a time`
  const silentMs = facts.nowEpochMs - heartbeatMs
  if (silentMs > facts.staleAfterMs) {
    return `pid ${process.pid} on ${process.host} has not renewed its heartbeat for ${Math.round(silentMs / 1000)} s (since ${process.heartbeatAt})`
  }
  return null
}
