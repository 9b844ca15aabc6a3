import type { RunbookProcess } from '@shared/runbook-types'

export interface LivenessFacts {
  /** The host asking. */
  host: string
  nowEpochMs: number
  /**
   * A heartbeat older than this means the process stopped running the run
   * (another host, a reused pid, a hung process).
   */
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
  const gone = ownerGone(process, facts)
  if (gone !== null || process === null) return gone
  const heartbeatMs = Date.parse(process.heartbeatAt)
  if (Number.isNaN(heartbeatMs)) return `its heartbeat "${process.heartbeatAt}" is not a time`
  const silentMs = facts.nowEpochMs - heartbeatMs
  if (silentMs > facts.staleAfterMs) {
    return (
      `pid ${process.pid} on ${process.host} has not renewed its heartbeat ` +
      `for ${Math.round(silentMs / 1000)} s (since ${process.heartbeatAt})`
    )
  }
  return null
}

/**
 * Why a record left unfinished by `owner` is taken for abandoned, or null while it may still be
 * at work. Only a pid on this host can be checked; on another host nothing is concluded.
 */
export function ownerGone(
  owner: { pid: number; host: string } | null,
  facts: Pick<LivenessFacts, 'host' | 'pidAlive'>
): string | null {
  // Owners have been recorded since before any file this build opens could be in use by a Rampart without them.
  if (owner === null) return 'no process was recorded for it (written by an older Rampart)'
  if (owner.host === facts.host && facts.pidAlive === false) return `pid ${owner.pid} on ${owner.host} is gone`
  return null
}
