import { setTimeout as sleep } from 'node:timers/promises'
import type { LogLine } from '@shared/log-line'
import type { ContainerInfo } from '@main/docker/core/container-info'
import { LogResumePoint } from '@main/docker/core/log-resume'
import type { GuardLineSource } from './guard-watcher'
import type { LogService } from '@main/docker/log-service'

export interface RestartFollowOptions {
  environment?: string
  container: string
  /** ISO 8601 instant, Unix seconds or a duration back from now; without it, only new lines. */
  since?: string
  /** How long a stopped container may take to run again before the stream is taken to have ended. */
  restartWaitMs?: number
  pollMs?: number
  /** Follows in a row that end without a single line before giving up (a stream that keeps closing). */
  maxEmptyFollows?: number
  /** Called each time the log is followed again, after a restart. */
  onRefollow?: (notice: { container: string; startedAt: string }) => void
}

const DEFAULT_RESTART_WAIT_MS = 60_000
const DEFAULT_POLL_MS = 100
const DEFAULT_MAX_EMPTY_FOLLOWS = 5
/** A stream that ends while the same run still shows as running: how long to wait for the engine to catch up. */
const SAME_RUN_GRACE_MS = 2_000

/**
 * A container's log followed across restarts. A followed Docker log ends when the container
 * stops; a rollout move on an env file restarts the service, and the watch must go on. So when
 * the stream ends, the container is polled until it runs again (a new start time) and its log is
 * followed from that start, or, if it stays stopped for `restartWaitMs` or is removed, the source
 * ends as the plain follow would.
 */
export function restartFollowingLineSource(
  deps: { logs: LogService; engine: { inspectContainer(name: string): Promise<ContainerInfo | null> } },
  options: RestartFollowOptions
): GuardLineSource {
  const restartWaitMs = options.restartWaitMs ?? DEFAULT_RESTART_WAIT_MS
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  const maxEmptyFollows = options.maxEmptyFollows ?? DEFAULT_MAX_EMPTY_FOLLOWS

  return async function* follow(signal: AbortSignal): AsyncGenerator<LogLine[], void, undefined> {
    let startedAt = (await deps.engine.inspectContainer(options.container))?.startedAt ?? null
    let since = options.since
    let shown = new LogResumePoint()
    let emptyFollows = 0
    for (;;) {
      let lines = 0
      const batches = deps.logs.read({
        environment: options.environment,
        container: options.container,
        follow: true,
        timestamps: true,
        ...(since === undefined ? { tail: 0 } : { since }),
        signal
      })
      for await (const batch of batches) {
        const fresh = shown.shownOf(batch)
        lines += fresh.length
        if (fresh.length > 0) yield fresh
      }
      if (signal.aborted) return
      emptyFollows = lines === 0 ? emptyFollows + 1 : 0
      if (emptyFollows > maxEmptyFollows) return
      const next = await nextRun(startedAt, signal)
      if (next === null) return
      if (next.startedAt !== startedAt) {
        // A new run: all of its lines, from its start (the old run's lines are all before it).
        since = next.startedAt
        startedAt = next.startedAt
        shown = new LogResumePoint()
        options.onRefollow?.({ container: options.container, startedAt: next.startedAt })
      } else {
        // The same run, still going: the stream closed for another reason; go on from the last
        // lines seen, each once (a guard must not count an error twice, nor miss one).
        since = shown.resume()?.toISOString() ?? since
      }
    }
  }

  /** The run to follow next: a running container, preferably a newer run; null when it stays stopped or is gone. */
  async function nextRun(previousStart: string | null, signal: AbortSignal): Promise<{ startedAt: string } | null> {
    const deadline = Date.now() + restartWaitMs
    const sameRunDeadline = Date.now() + Math.min(SAME_RUN_GRACE_MS, restartWaitMs)
    for (;;) {
      const info = await deps.engine.inspectContainer(options.container)
      if (info === null || signal.aborted) return null
      if (info.state === 'running' && info.startedAt !== null) {
        // The stream can end a moment before the engine shows the container as stopped.
        if (info.startedAt !== previousStart || Date.now() >= sameRunDeadline) return { startedAt: info.startedAt }
      }
      if (Date.now() >= deadline) return null
      try {
        await sleep(pollMs, undefined, { signal })
      } catch {
        return null
      }
    }
  }
}
