import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { RampartError } from '@shared/errors'
import type { DockerEngine } from './docker-engine'
import { probeHttp, type HttpProbe } from '@main/platform/http-probe'

export interface ReadinessWait {
  /** Gives up after this long, with the last answer in the message. */
  timeoutMs: number
  /** Between attempts; short, because every interval is time the on-call engineer waits. */
  intervalMs: number
  signal: AbortSignal
  report?: (message: string) => void
}

const PROBE_TIMEOUT_MS = 2_000

/** What answered: the health URL, or the container's own health state. */
export interface ReadinessOutcome {
  check: string
  attempts: number
  waitedMs: number
}

/**
 * Waits until the service is serving again: its health URL answers 200, or, without one, the
 * container reports healthy (or just running when it has no HEALTHCHECK).
 */
export function waitUntilServing(
  service: { container: string; healthUrl: string | null },
  engine: DockerEngine,
  wait: ReadinessWait
): Promise<ReadinessOutcome> {
  return service.healthUrl === null
    ? waitForContainerHealth(engine, service.container, wait)
    : waitForHealthUrl(service.healthUrl, wait)
}

async function waitForHealthUrl(url: string, wait: ReadinessWait): Promise<ReadinessOutcome> {
  const started = performance.now()
  let last: HttpProbe | null = null
  for (let attempt = 1; ; attempt++) {
    wait.signal.throwIfAborted()
    last = await probeHttp(url, { timeoutMs: Math.min(PROBE_TIMEOUT_MS, wait.timeoutMs), signal: wait.signal })
    const waitedMs = performance.now() - started
    if (last.status === 200) return { check: url, attempts: attempt, waitedMs }
    if (waitedMs >= wait.timeoutMs) {
      throw new RampartError(
        'failed',
        `health URL ${url} did not answer 200 within ${formatSeconds(wait.timeoutMs)} ` +
          `(${attempt} attempts; last: ${describeProbe(last)})`,
        { url, attempts: attempt, lastStatus: last.status, lastError: last.error }
      )
    }
    if (attempt === 1 || attempt % 20 === 0) wait.report?.(`waiting for ${url}: ${describeProbe(last)}`)
    await sleep(wait.intervalMs, undefined, { signal: wait.signal })
  }
}

async function waitForContainerHealth(
  engine: DockerEngine,
  container: string,
  wait: ReadinessWait
): Promise<ReadinessOutcome> {
  const started = performance.now()
  for (let attempt = 1; ; attempt++) {
    wait.signal.throwIfAborted()
    const info = await engine.inspectContainer(container)
    if (info === null)
      throw new RampartError(
        'failed',
        `container ${container} is gone (on the Docker engine at ${engine.endpoint.display})`
      )
    const waitedMs = performance.now() - started
    if (info.state === 'running' && (info.health === null || info.health === 'healthy')) {
      return {
        check:
          info.health === null
            ? `container ${container} running (it has no HEALTHCHECK)`
            : `container ${container} healthy`,
        attempts: attempt,
        waitedMs
      }
    }
    if (info.state === 'exited' || info.state === 'dead') {
      throw new RampartError(
        'failed',
        `container ${container} ${info.state} with exit code ${info.exitCode} instead of starting; ` +
          `see: rampart logs ${container}`
      )
    }
    if (waitedMs >= wait.timeoutMs) {
      throw new RampartError(
        'failed',
        `container ${container} is ${info.state}${info.health === null ? '' : `, health ${info.health}`} ` +
          `after ${formatSeconds(wait.timeoutMs)}, not healthy`
      )
    }
    await sleep(wait.intervalMs, undefined, { signal: wait.signal })
  }
}

/** Every verify URL must answer 2xx; they are asked at once, and every failure is named. */
async function checkVerifyUrls(
  urls: readonly string[],
  options: { timeoutMs: number; signal: AbortSignal }
): Promise<string[]> {
  const probes = await Promise.all(
    urls.map((url) => probeHttp(url, { timeoutMs: options.timeoutMs, signal: options.signal }))
  )
  options.signal.throwIfAborted()
  const failed = probes.filter((probe) => probe.status === null || probe.status < 200 || probe.status > 299)
  if (failed.length > 0) {
    throw new RampartError(
      'failed',
      `verify URL${failed.length === 1 ? '' : 's'} failed: ` +
        failed.map((probe) => `${probe.url} ${describeProbe(probe)}`).join('; '),
      { failed }
    )
  }
  return probes.map((probe) => `${probe.url} ${probe.status}`)
}

/** checkVerifyUrls, retried until `wait.timeoutMs`: a page can lag a moment behind /health after a start. */
export async function verifyUrlsUntil(
  urls: readonly string[],
  wait: ReadinessWait & { probeTimeoutMs: number }
): Promise<string[]> {
  const started = performance.now()
  for (;;) {
    try {
      return await checkVerifyUrls(urls, { timeoutMs: wait.probeTimeoutMs, signal: wait.signal })
    } catch (error) {
      if (wait.signal.aborted || performance.now() - started >= wait.timeoutMs) throw error
    }
    await sleep(wait.intervalMs, undefined, { signal: wait.signal })
  }
}

function describeProbe(probe: HttpProbe): string {
  return probe.status === null ? (probe.error ?? 'no answer') : `HTTP ${probe.status}`
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}
