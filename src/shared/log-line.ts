/** One line of a container's output, as `rampart logs` prints it and the `logs.follow` stream carries it. */
export interface LogLine {
  stream: 'stdout' | 'stderr'
  text: string
  /** Docker's RFC 3339 timestamp (nanoseconds, UTC) when timestamps were asked for, else null. */
  timestamp: string | null
}
