import { setTimeout as sleep } from 'node:timers/promises'
import type { LogLine } from '@shared/log-line'
import { RampartError } from '@shared/errors'
import type { Clock } from '@main/platform/clock'
import type { ContainerInfo } from './core/container-info'
import { LogResumePoint } from './core/log-resume'
import type { DockerEngine } from './docker-engine'

export interface EngineFollowOptions {
  container: string
  since?: Date
  tail?: number
  /** Whether the follower wants Docker's timestamps (they are always read, to know where to resume). */
  timestamps: boolean
  signal?: AbortSignal
  /** How often a gone engine is asked whether it is back. */
  pollMs?: number
}

const DEFAULT_POLL_MS = 500

type Follower = Pick<DockerEngine, 'logs' | 'inspectContainer' | 'endpoint'>

/**
 * A followed log that outlives a restart of its Docker engine. A plain follow ends when the
 * engine closes the connection, as it does when the engine stops, so the follower could not tell
 * that from the container stopping. Here, when the stream ends or breaks while the container was
 * not seen to stop, the follower gets a `rampart` notice naming the engine and the time the
 * stream was lost; the engine is asked again every `pollMs` for as long as the follower stays
 * (a follow has no deadline); once it answers, a second notice says how long the gap lasted, and
 * the log is followed again from the last line shown, so lines the engine kept meanwhile are
 * delivered and none twice. The stream ends as a plain follow does when the container stops or
 * is removed.
 */
export async function* followAcrossEngineRestarts(
  engine: Follower,
  clock: Clock,
  options: EngineFollowOptions
): AsyncGenerator<LogLine[], void, undefined> {
  const { container, signal } = options
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  let since = options.since
  let tail = options.tail
  const shown = new LogResumePoint()
  // An engine down at the start fails the follow as a plain one (the error says it is unreachable).
  await engine.inspectContainer(container)
  for (;;) {
    let broken: RampartError | null = null
    try {
      const batches = engine.logs(container, { follow: true, timestamps: true, since, tail, signal })
      for await (const batch of batches) {
        const fresh = shown.shownOf(batch)
        if (fresh.length > 0) yield options.timestamps ? fresh : fresh.map((line) => ({ ...line, timestamp: null }))
      }
    } catch (error) {
      if (signal?.aborted === true) return
      if (!isEngineLoss(error)) throw error
      broken = error as RampartError
    }
    if (signal?.aborted === true) return
    const lostAt = clock.now()
    const seen = await inspectOrNull(engine, container)
    if (seen === null) return
    // The container stopped: the follow ends, as docker logs --follow does.
    if (seen !== 'unreachable' && seen.state !== 'running' && broken === null) return
    const why =
      broken !== null
        ? broken.message
        : seen === 'unreachable'
          ? `the Docker engine at ${engine.endpoint.display} closed the log stream and stopped answering`
          : `the Docker engine at ${engine.endpoint.display} closed the log stream while ${container} still runs`
    yield [notice(lostAt, `log stream of ${container} lost at ${lostAt.toISOString()}: ${why}; waiting for the engine`)]
    const back = await untilEngineAnswers(engine, container, pollMs, signal)
    if (back === 'aborted') return
    const backAt = clock.now()
    const gapSeconds = ((backAt.getTime() - lostAt.getTime()) / 1000).toFixed(1)
    if (back === 'removed') {
      yield [notice(backAt, `the Docker engine answers again after ${gapSeconds} s, but ${container} no longer exists`)]
      return
    }
    const newest = shown.newestShown
    yield [
      notice(
        backAt,
        `the Docker engine at ${engine.endpoint.display} answers again after a gap of ${gapSeconds} s ` +
          `(${lostAt.toISOString()} to ${backAt.toISOString()}); following ${container} again ` +
          `from ${newest === null ? 'where the stream was lost' : `its last line shown (${newest})`}`
      )
    ]
    since = shown.resume() ?? lostAt
    tail = undefined
  }
}

function notice(at: Date, text: string): LogLine {
  return { stream: 'rampart', text, timestamp: at.toISOString() }
}

/** A stream broken by the engine going away (or its connection dropped), not by bad input. */
function isEngineLoss(error: unknown): boolean {
  return error instanceof RampartError && (error.code === 'unreachable' || error.code === 'failed')
}

async function inspectOrNull(engine: Follower, container: string): Promise<ContainerInfo | null | 'unreachable'> {
  try {
    return await engine.inspectContainer(container)
  } catch (error) {
    if (isEngineLoss(error)) return 'unreachable'
    throw error
  }
}

async function untilEngineAnswers(
  engine: Follower,
  container: string,
  pollMs: number,
  signal: AbortSignal | undefined
): Promise<'back' | 'removed' | 'aborted'> {
  for (;;) {
    try {
      await sleep(pollMs, undefined, { signal })
    } catch {
      return 'aborted'
    }
    const seen = await inspectOrNull(engine, container)
    if (seen === null) return 'removed'
    if (seen !== 'unreachable') return 'back'
  }
}
