/** Below this the page is keeping up: a batch's own travel time, not worth a word. */
const BEHIND_THRESHOLD_MS = 1_000

/**
 * How long ago the container wrote the newest line on screen, from Docker's timestamp (null
 * when the line has none or it cannot be read). Docker's nanoseconds are cut to milliseconds.
 */
export function lagMs(timestamp: string | null, nowMs: number): number | null {
  if (timestamp === null) return null
  const at = Date.parse(timestamp.replace(/(\.\d{3})\d+/, '$1'))
  return Number.isNaN(at) ? null : Math.max(0, nowMs - at)
}

/** "Behind: the newest line shown was written 2.3 s ago", or null while the page keeps up. */
export function behindText(lag: number | null): string | null {
  if (lag === null || lag < BEHIND_THRESHOLD_MS) return null
  const seconds = lag / 1000
  return `Behind: the newest line shown was written ${seconds < 60 ? seconds.toFixed(1) : Math.round(seconds)} s ago`
}
