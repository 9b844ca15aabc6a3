import type { LogLine } from '@shared/log-line'

/**
 * Where a followed log picks up again after its stream broke. Docker stamps each message when
 * it reads it from the container's stdout or stderr pipe, one reader per pipe, so within one
 * stream the timestamps rise in the order of the log, while a stderr line may carry an earlier
 * timestamp than the stdout line before it. So the point reached is kept per stream: the follow
 * restarts at the earlier of the two last lines' milliseconds (Docker's `since` takes no finer),
 * and of what the engine sends again, each stream drops what is not newer than its own last line
 * shown, until its first newer line. Lines are never dropped outside such a replay.
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

type OutputStream = 'stdout' | 'stderr'

interface ShownLine {
  timestamp: string
  nanos: bigint
}

/** How far a followed log was shown, per output stream, and the filter for the replay after a resume. */
export class LogResumePoint {
  private readonly lastShown: Partial<Record<OutputStream, ShownLine>> = {}
  private newest: ShownLine | null = null
  private readonly replaying = new Set<OutputStream>()

  /** The lines of `batch` to show (all of them unless a replay is under way); they count as shown. */
  shownOf(batch: LogLine[]): LogLine[] {
    const fresh = this.replaying.size === 0 ? batch : batch.filter((line) => this.isFresh(line))
    // Within a stream the last line is the newest: only the last of each is read, from the end.
    let stdoutSeen = false
    let stderrSeen = false
    for (let index = fresh.length - 1; index >= 0 && !(stdoutSeen && stderrSeen); index -= 1) {
      const line = fresh[index]!
      if (line.stream === 'rampart' || line.timestamp === null) continue
      if (line.stream === 'stdout' ? stdoutSeen : stderrSeen) continue
      const nanos = dockerTimestampNanos(line.timestamp)
      if (nanos === null) continue
      if (line.stream === 'stdout') stdoutSeen = true
      else stderrSeen = true
      const shown = { timestamp: line.timestamp, nanos }
      this.lastShown[line.stream] = shown
      if (this.newest === null || nanos > this.newest.nanos) this.newest = shown
    }
    return fresh
  }

  /** The timestamp of the newest line shown, for the operator; null before any. */
  get newestShown(): string | null {
    return this.newest?.timestamp ?? null
  }

  /**
   * The `since` of the follow that resumes, and from then on the replay filter; null when no
   * line with a timestamp was shown yet (the caller then resumes from when the stream was lost).
   */
  resume(): Date | null {
    const points = Object.values(this.lastShown)
    if (points.length === 0) return null
    for (const stream of Object.keys(this.lastShown)) this.replaying.add(stream as OutputStream)
    const earliest = points.reduce((min, point) => (point.nanos < min ? point.nanos : min), points[0]!.nanos)
    return new Date(Number(earliest / 1_000_000n))
  }

  private isFresh(line: LogLine): boolean {
    if (line.stream === 'rampart' || !this.replaying.has(line.stream)) return true
    const nanos = line.timestamp === null ? null : dockerTimestampNanos(line.timestamp)
    // A line without a readable timestamp cannot be matched to one shown: it is kept.
    if (nanos !== null && nanos <= this.lastShown[line.stream]!.nanos) return false
    this.replaying.delete(line.stream)
    return true
  }
}
