/** One line of a container's output, as `rampart logs` prints it and the `logs.follow` stream carries it. */
export interface LogLine {
  /**
   * `rampart`: a notice from Rampart in a followed log, never the container's output — the
   * engine's stream was lost (when, why) or is back (after how long, from which line).
   */
  stream: 'stdout' | 'stderr' | 'rampart'
  text: string
  /** Docker's RFC 3339 timestamp (nanoseconds, UTC) when timestamps were asked for, else null; always on a notice. */
  timestamp: string | null
}
