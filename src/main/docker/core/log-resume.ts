/**
 * Where a followed log picks up again after its stream broke: Docker's `since` takes
 * milliseconds here, its timestamps carry nanoseconds, so the follow restarts at the last
 * line's millisecond and drops what was already shown by comparing whole nanoseconds.
 */

const DOCKER_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/** Nanoseconds since the epoch of Docker's RFC 3339 timestamp (zeros trimmed or not); null if it is not one. */
export function dockerTimestampNanos(timestamp: string): bigint | null {
  const match = DOCKER_TIMESTAMP.exec(timestamp)
  if (match === null) return null
  const [, seconds, fraction = '', zone] = match
  const epochMs = Date.parse(`${seconds}${zone}`)
  if (Number.isNaN(epochMs)) return null
  return BigInt(epochMs) * 1_000_000n + BigInt(fraction.padEnd(9, '0'))
}

/** The `since` to follow again from: the last line's millisecond (that line and its equals are then dropped). */
export function resumeSince(lastShown: string): Date | null {
  const nanos = dockerTimestampNanos(lastShown)
  return nanos === null ? null : new Date(Number(nanos / 1_000_000n))
}

/** True for a line written after `lastShown`; a line without a readable timestamp is kept. */
export function isAfterLastShown(timestamp: string | null, lastShown: bigint): boolean {
  if (timestamp === null) return true
  const nanos = dockerTimestampNanos(timestamp)
  return nanos === null || nanos > lastShown
}
