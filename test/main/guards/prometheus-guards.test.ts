/**
 * Guard windows from a real Prometheus (Debian's, started by scripts/test-env/prometheus.sh)
 * scraping the demo service on 127.0.0.1, against the windows the same traffic's log gives.
 *
 * Prometheus sees a counter only when it scrapes it, so a request in the last moments before a
 * window's end is counted in the next window by Prometheus but in this one by the log. The test
 * therefore sends its traffic in the middle of each window (on one second after the window
 * starts, off 1.2 s later), leaving quiet edges several scrapes long: then both sources must agree
 * on every count exactly. docs/sources.md says what this means for real traffic.
 */
import { randomBytes } from 'node:crypto'
import { createServer, connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RampartError } from '@shared/errors'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { resolveFlagEnvMapping } from '@main/flags/core/flag-env-mapping'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { GuardEngine, type GuardWindow } from '@main/guards/core/guard-engine'
import { parseLogLine } from '@main/guards/core/log-event'
import { GuardService } from '@main/guards/guard-service'
import { systemClock } from '@main/platform/clock'
import { ServiceWorkspace } from '@test/fixtures/service-workspace'
import { eventually, startDemoService, type DemoServiceProcess } from '@test/support/demo-service-process'
import { scrapeTarget, testPrometheus, type ScrapedTarget } from '@test/support/prometheus-test-env'
import { freePort } from '@test/support/docker-test-env'

const WINDOW_SECONDS = 4
const WINDOW_MS = WINDOW_SECONDS * 1000
const LATENESS_SECONDS = 1
const THRESHOLDS: GuardThresholds = {
  window_seconds: WINDOW_SECONDS,
  min_requests: 20,
  max_error_rate: 0.1,
  max_latency_degradation: 0.5,
  breach_windows: 2
}
/** Traffic on this long after a window starts, and off after this long (quiet edges for the scrapes). */
const TRAFFIC_ON_MS = 1_000
const TRAFFIC_FOR_MS = 1_200

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function uniqueFlag(): string {
  return `fleet_${randomBytes(4).toString('hex')}`
}

function envText(flag: string, percentage: number): string {
  const upper = flag.toUpperCase()
  return [
    `FEATURE_${upper}=true`,
    `FEATURE_${upper}_ROLLOUT=${percentage}`,
    `FEATURE_${upper}_WHITELIST=`,
    `FEATURE_${upper}_BLACKLIST=`,
    `FEATURE_${upper}_START_DATE=`,
    `FEATURE_${upper}_END_DATE=`,
    ''
  ].join('\n')
}

function workspaceYaml(flag: string, url: string, windowSeconds = WINDOW_SECONDS): string {
  return [
    'environments:',
    '  fleet:',
    '    flag_source: { kind: env-file, path: ./.env }',
    `    flags: [${flag}]`,
    '    guards:',
    '      source: prometheus',
    `      url: ${url}`,
    `      window_seconds: ${windowSeconds}`,
    `      min_requests: ${THRESHOLDS.min_requests}`,
    `      max_error_rate: ${THRESHOLDS.max_error_rate}`,
    `      breach_windows: ${THRESHOLDS.breach_windows}`,
    `      lateness_seconds: ${LATENESS_SECONDS}`,
    '      action: alert',
    ''
  ].join('\n')
}

async function guardService(flag: string, url: string, windowSeconds?: number): Promise<GuardService> {
  const workspace = new ServiceWorkspace({
    envText: envText(flag, 50),
    workspaceYaml: workspaceYaml(flag, url, windowSeconds)
  })
  cleanups.push(() => workspace.cleanup())
  const context = await workspace.open()
  return new GuardService({
    environments: new EnvironmentRegistry(context.workspace),
    logs: context.services.logs,
    docker: context.services.docker,
    history: context.services.store,
    clock: systemClock,
    actor: 'tester'
  })
}

async function startDemo(flag: string): Promise<DemoServiceProcess> {
  const demo = await startDemoService(envText(flag, 50), {
    DEMO_FLAGS: JSON.stringify({ [flag]: resolveFlagEnvMapping(flag) }),
    DEMO_TRAFFIC_FLAG: flag,
    DEMO_RPS: '0',
    DEMO_USERS: '2000',
    DEMO_SEED: 'prometheus-guards',
    DEMO_FLAG_EVENT_EVERY: '0'
  })
  cleanups.push(async () => void (await demo.stop()))
  return demo
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) })
  expect(response.status, await response.text()).toBe(200)
}

async function sleepUntil(epochMs: number): Promise<void> {
  const ms = epochMs - Date.now()
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Traffic in the middle of the window starting at `startMs`. */
async function burst(demo: DemoServiceProcess, startMs: number): Promise<void> {
  await sleepUntil(startMs + TRAFFIC_ON_MS)
  await post(`${demo.baseUrl}/demo/traffic`, { rps: 200 })
  await sleepUntil(startMs + TRAFFIC_ON_MS + TRAFFIC_FOR_MS)
  await post(`${demo.baseUrl}/demo/traffic`, { rps: 0 })
}

/** The log's windows for the same traffic: the demo's lines through the guard engine, as a replay does. */
function logWindows(demo: DemoServiceProcess, flag: string): GuardWindow[] {
  const engine = new GuardEngine({ flag, flagState: null, settings: THRESHOLDS, latenessSeconds: LATENESS_SECONDS })
  const windows: GuardWindow[] = []
  for (const event of demo.events) engine.accept(parseLogLine(JSON.stringify(event)), windows)
  engine.finish(windows)
  return windows
}

/** The duration histogram's bucket bounds, as the demo's /metrics gives them. */
async function bucketBounds(demo: DemoServiceProcess): Promise<number[]> {
  const text = await (await fetch(`${demo.baseUrl}/metrics`)).text()
  const bounds = [...text.matchAll(/^ops_center_request_duration_ms_bucket\{le="([0-9.]+)"/gm)].map((match) =>
    Number(match[1])
  )
  return [...new Set(bounds)].sort((a, b) => a - b)
}

/** The width of the histogram bucket holding `valueMs`. */
function bucketWidth(bounds: number[], valueMs: number): number {
  const index = bounds.findIndex((bound) => valueMs <= bound)
  expect(index, `${valueMs} ms is past the last bucket`).toBeGreaterThanOrEqual(0)
  return bounds[index]! - (index === 0 ? 0 : bounds[index - 1]!)
}

describe('guards from Prometheus', () => {
  it('trips on an injected regression in the window the log trips in, counts equal, p95 within a bucket', async () => {
    const prometheus = testPrometheus()
    const flag = uniqueFlag()
    const demo = await startDemo(flag)
    const target: ScrapedTarget = await scrapeTarget(prometheus, demo.port)
    cleanups.push(() => target.remove())
    const guards = await guardService(flag, prometheus.url)

    const windows: GuardWindow[] = []
    const stop = new AbortController()
    const watching = guards.watch({ flag }, { onWindow: (window) => void windows.push(window) }, stop.signal)
    cleanups.push(() => stop.abort())

    let startMs = Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS
    for (let healthy = 0; healthy < 2; healthy += 1, startMs += WINDOW_MS) await burst(demo, startMs)
    await post(`${demo.baseUrl}/demo/faults`, { treatment: { failure_rate: 0.5 } })
    for (let faulty = 0; faulty < 2; faulty += 1, startMs += WINDOW_MS) await burst(demo, startMs)
    const lastTrafficWindowMs = startMs - WINDOW_MS

    const trip = await eventually(
      'a trip decided from Prometheus',
      () => windows.find((window) => window.decision === 'trip'),
      (WINDOW_SECONDS + LATENESS_SECONDS) * 1000 * 3
    )
    await eventually('the last window with traffic decided', () =>
      windows.some((window) => window.windowStartMs >= lastTrafficWindowMs) ? true : undefined
    )
    stop.abort()
    expect((await watching).stopped).toBe('aborted')

    const bounds = await bucketBounds(demo)
    const fromLog = new Map(logWindows(demo, flag).map((window) => [window.windowStartMs, window]))
    expect([...fromLog.values()].find((window) => window.decision === 'trip')?.windowStartMs).toBe(trip.windowStartMs)
    let compared = 0
    for (const window of windows) {
      const logged = fromLog.get(window.windowStartMs)
      if (logged === undefined) {
        // Outside the log's first and last event: no traffic, so nothing for Prometheus either.
        expect(window.treatment.requests + window.control.requests).toBe(0)
        expect(window.decision).toBe('hold')
        continue
      }
      const at = new Date(window.windowStartMs).toISOString()
      for (const cohort of ['treatment', 'control'] as const) {
        expect({ at, cohort, requests: window[cohort].requests, failures: window[cohort].failures }).toEqual({
          at,
          cohort,
          requests: logged[cohort].requests,
          failures: logged[cohort].failures
        })
        const logP95 = logged[cohort].p95Ms
        if (logP95 === null) expect(window[cohort].p95Ms).toBeNull()
        else expect(Math.abs(window[cohort].p95Ms! - logP95)).toBeLessThanOrEqual(bucketWidth(bounds, logP95))
      }
      expect({ at, decision: window.decision }).toEqual({ at, decision: logged.decision })
      if (window.treatment.requests > 0) compared += 1
    }
    expect(compared).toBeGreaterThanOrEqual(4)
  }, 90_000)

  it('holds a window without samples, never passing it', async () => {
    const prometheus = testPrometheus()
    const flag = uniqueFlag()
    const guards = await guardService(flag, prometheus.url, 1)
    const stop = new AbortController()
    cleanups.push(() => stop.abort())
    const windows: GuardWindow[] = []
    const watching = guards.watch(
      { flag },
      {
        onWindow: (window) => {
          windows.push(window)
          if (windows.length === 2) stop.abort()
        }
      },
      stop.signal
    )
    await watching
    expect(windows.map((window) => [window.decision, window.treatment.requests, window.control.requests])).toEqual([
      ['hold', 0, 0],
      ['hold', 0, 0]
    ])
  }, 30_000)

  it('reports an unreachable Prometheus, naming it, and stores no window', async () => {
    const flag = uniqueFlag()
    const url = `http://127.0.0.1:${await freePort()}`
    const guards = await guardService(flag, url, 1)
    const windows: GuardWindow[] = []
    const failure = await guards
      .watch({ flag }, { onWindow: (window) => void windows.push(window) }, new AbortController().signal)
      .then(
        () => null,
        (error: unknown) => error
      )
    expect(failure).toBeInstanceOf(RampartError)
    expect((failure as RampartError).code).toBe('unreachable')
    expect((failure as RampartError).message).toContain(`Prometheus at ${url}`)
    expect(windows).toEqual([])
  })

  it('stops with the server named when Prometheus goes away mid-watch, deciding nothing without it', async () => {
    const prometheus = testPrometheus()
    const upstream = new URL(prometheus.url)
    // A plain TCP forwarder to the real server, closed mid-watch: Prometheus as seen across a dropped tunnel.
    const sockets = new Set<Socket>()
    const forwarder = createServer((client) => {
      const server = connect(Number(upstream.port), upstream.hostname)
      for (const socket of [client, server]) {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        socket.on('error', () => socket.destroy())
      }
      client.pipe(server).pipe(client)
    })
    await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve))
    const port = (forwarder.address() as { port: number }).port
    cleanups.push(() => void forwarder.close())
    const flag = uniqueFlag()
    const guards = await guardService(flag, `http://127.0.0.1:${port}`, 1)
    const windows: GuardWindow[] = []
    const failure = await guards
      .watch(
        { flag },
        {
          onWindow: (window) => {
            windows.push(window)
            forwarder.close()
            for (const socket of sockets) socket.destroy()
          }
        },
        new AbortController().signal
      )
      .then(
        () => null,
        (error: unknown) => error
      )
    expect(failure).toBeInstanceOf(RampartError)
    expect((failure as RampartError).code).toBe('unreachable')
    expect((failure as RampartError).message).toContain(`Prometheus at http://127.0.0.1:${port}`)
    expect((failure as RampartError).message).toContain('was not decided')
    expect(windows.map((window) => window.decision)).toEqual(['hold'])
  }, 30_000)
})
