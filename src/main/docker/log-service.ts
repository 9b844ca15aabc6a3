import type { LogLine } from '@shared/log-line'
import type { LogBytes } from './core/log-chunk-decoders'
import { compileLogLineFilter } from './core/log-line-filter'
import { parseLogSince } from './core/log-since'
import type { Clock } from '@main/platform/clock'
import type { DockerEngines } from './docker-engines'
import { followAcrossEngineRestarts } from './log-follow'

export interface LogRequest {
  environment?: string
  container: string
  follow?: boolean
  tail?: number
  /** ISO 8601 instant, Unix seconds, or a duration back from now (10m, 1h30m). */
  since?: string
  timestamps?: boolean
  /** A substring, or /regex/flags. */
  grep?: string
  /** API_CALL, or several: API_CALL,ERROR. Only JSON lines carry one. */
  eventType?: string
  signal?: AbortSignal
}

/** A container's logs, filtered, for `rampart logs` and the `logs.follow` stream alike. */
export class LogService {
  constructor(
    private readonly engines: DockerEngines,
    private readonly clock: Clock
  ) {}

  /**
   * Batches of matching lines; batches emptied by the filter are skipped. Bad input (an unknown
   * environment, a broken --since or --grep) fails before any connection is made.
   */
  read(request: LogRequest): AsyncGenerator<LogLine[], void, undefined> {
    const keep = compileLogLineFilter({ grep: request.grep, eventType: request.eventType })
    const since = request.since === undefined ? undefined : parseLogSince(request.since, this.clock.now())
    const engine = this.engines.forEnvironment(request.environment)
    const lines = engine.logs(request.container, {
      follow: request.follow,
      tail: request.tail,
      since,
      timestamps: request.timestamps,
      signal: request.signal
    })
    return keep === null ? lines : filtered(lines, (line) => keep(line.text))
  }

  /**
   * A followed log that goes on across a restart of the Docker engine, with a `rampart` notice
   * when the stream is lost and when it resumes (see followAcrossEngineRestarts). Notices pass
   * every filter. For the `logs.follow` stream and `rampart logs --follow`.
   */
  follow(request: Omit<LogRequest, 'follow'>): AsyncGenerator<LogLine[], void, undefined> {
    const keep = compileLogLineFilter({ grep: request.grep, eventType: request.eventType })
    const since = request.since === undefined ? undefined : parseLogSince(request.since, this.clock.now())
    const lines = followAcrossEngineRestarts(this.engines.forEnvironment(request.environment), this.clock, {
      container: request.container,
      since,
      tail: request.tail,
      timestamps: request.timestamps === true,
      signal: request.signal
    })
    return keep === null ? lines : filtered(lines, (line) => line.stream === 'rampart' || keep(line.text))
  }

  /**
   * The unfiltered output as bytes, for callers that only pass it on (`rampart logs` without
   * --grep, --event-type, --json or --timestamps): no decoding, no per-line work, as `docker logs`.
   */
  readBytes(request: Omit<LogRequest, 'grep' | 'eventType'>): AsyncGenerator<LogBytes, void, undefined> {
    const since = request.since === undefined ? undefined : parseLogSince(request.since, this.clock.now())
    return this.engines.forEnvironment(request.environment).logBytes(request.container, {
      follow: request.follow,
      tail: request.tail,
      since,
      timestamps: request.timestamps,
      signal: request.signal
    })
  }
}

async function* filtered(
  batches: AsyncGenerator<LogLine[], void, undefined>,
  keep: (line: LogLine) => boolean
): AsyncGenerator<LogLine[], void, undefined> {
  for await (const batch of batches) {
    const kept = batch.filter(keep)
    if (kept.length > 0) yield kept
  }
}
