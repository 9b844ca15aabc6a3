import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LogLine } from '@shared/log-line'
import { HistoryStore } from '@main/history/history-store'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { GuardEngine, type GuardWindow } from '@main/guards/core/guard-engine'
import { parseLogLine } from '@main/guards/core/log-event'
import { GuardWatcher, type GuardLineSource, type GuardTrip, type Ticker } from '@main/guards/guard-watcher'
import {
  apiCallLine,
  FAILING,
  flagState,
  generateTrace,
  HEALTHY,
  TRACE_FLAG,
  TRACE_START_MS,
  traceLines
} from '@test/fixtures/guard-traces'

const WINDOW_SECONDS = 10
const WINDOW_MS = WINDOW_SECONDS * 1000
const SETTINGS: GuardThresholds = {
  window_seconds: WINDOW_SECONDS,
  min_requests: 100,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}
const ENVIRONMENT = 'demo'

/** Log lines handed to the watcher batch by batch, as a followed container log would deliver them. */
class LineFeed {
  private readonly queue: LogLine[][] = []
  private ended = false
  private wake: (() => void) | null = null
  private waiting: Array<() => void> = []

  push(texts: readonly string[], timestamp: string | null = null): void {
    this.queue.push(texts.map((text) => ({ stream: 'stdout', text, timestamp })))
    this.wakeReader()
  }

  end(): void {
    this.ended = true
    this.wakeReader()
  }

  /** Resolves once the watcher has handled every batch pushed so far and asks for more. */
  drained(): Promise<void> {
    if (this.wake !== null && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private wakeReader(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  readonly source: GuardLineSource = (signal) => this.batches(signal)

  private async *batches(signal: AbortSignal): AsyncGenerator<LogLine[]> {
    for (;;) {
      const batch = this.queue.shift()
      if (batch !== undefined) {
        yield batch
        continue
      }
      for (const resolve of this.waiting.splice(0)) resolve()
      if (this.ended || signal.aborted) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        signal.addEventListener('abort', () => resolve(), { once: true })
      })
    }
  }
}

class ManualTicker implements Ticker {
  private ticks: Array<() => void> = []
  every(_intervalMs: number, tick: () => void): () => void {
    this.ticks.push(tick)
    return () => {
      this.ticks = this.ticks.filter((each) => each !== tick)
    }
  }
  fire(): void {
    for (const tick of this.ticks) tick()
  }
}

let dir: string
let history: HistoryStore
let wallMs: number
let ticker: ManualTicker

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-guard-watch-'))
  history = HistoryStore.open(path.join(dir, 'history.db'), { now: () => new Date(wallMs) })
  wallMs = TRACE_START_MS
  ticker = new ManualTicker()
})

afterEach(() => {
  history.close()
  rmSync(dir, { recursive: true, force: true })
})

function watcher(
  extra: {
    onTrip?: (trip: GuardTrip) => void | Promise<void>
    onWindow?: (window: GuardWindow) => void | Promise<void>
  } = {}
): GuardWatcher {
  return new GuardWatcher({
    flag: TRACE_FLAG,
    environment: ENVIRONMENT,
    flagState: flagState(),
    settings: { ...SETTINGS, action: 'rollback' },
    startMs: TRACE_START_MS,
    history,
    clock: { now: () => new Date(wallMs) },
    ticker,
    ...extra
  })
}

/** Waits (without a clock) until the watcher's asynchronous storing has caught up. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 1000 && !condition(); round += 1) await new Promise((resolve) => setImmediate(resolve))
  expect(condition()).toBe(true)
}

function replayed(lines: readonly string[]): GuardWindow[] {
  const engine = new GuardEngine({ flag: TRACE_FLAG, flagState: flagState(), settings: SETTINGS })
  const out: GuardWindow[] = []
  for (const line of lines) engine.accept(parseLogLine(line), out)
  engine.finish(out)
  return out
}

describe('GuardWatcher', () => {
  it('stores every decided window in the history file and records a trip as a guard_trip event', async () => {
    const events = generateTrace({
      seed: 31,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 6,
      requestsPerWindow: 500,
      treatment: (window) => (window >= 2 ? FAILING : HEALTHY)
    })
    const lines = traceLines(events, 9)
    const trips: GuardTrip[] = []
    const feed = new LineFeed()
    const running = watcher({ onTrip: (trip) => void trips.push(trip) }).run(feed.source)
    for (let at = 0; at < lines.length; at += 700) feed.push(lines.slice(at, at + 700))
    feed.end()
    const report = await running

    const expected = replayed(lines)
    const stored = history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT)
    expect(stored.map((record) => [record.windowStart, record.decision])).toEqual(
      expected.map((window) => [new Date(window.windowStartMs).toISOString(), window.decision])
    )
    expect(stored.every((record) => record.windowSeconds === WINDOW_SECONDS)).toBe(true)
    expect(stored[2]!.figures).toMatchObject({
      window_start: new Date(TRACE_START_MS + 2 * WINDOW_MS).toISOString(),
      treatment: { requests: expected[2]!.treatment.requests, failures: expected[2]!.treatment.failures },
      decision: 'breach',
      breach_streak: 1,
      settings: { window_seconds: WINDOW_SECONDS, lateness_seconds: WINDOW_SECONDS }
    })

    const tripEvents = history.events.listEvents({ kinds: ['guard_trip'] })
    expect(tripEvents).toHaveLength(report.trips)
    expect(report.trips).toBe(expected.filter((window) => window.decision === 'trip').length)
    const first = tripEvents[0]!
    expect(first).toMatchObject({
      actor: 'rampart',
      outcome: 'tripped',
      flag: TRACE_FLAG,
      environment: ENVIRONMENT,
      detail: { window_start: new Date(TRACE_START_MS + 3 * WINDOW_MS).toISOString(), action: 'rollback' }
    })
    expect(first.reason).toMatch(
      /^guards tripped in the window from 2025-11-01T12:00:30.000Z: treatment error rate 0\.\d+ > 0\.05; 2 breaches in a row/
    )
    expect(trips.map((trip) => trip.event.seq)).toEqual(tripEvents.map((event) => event.seq))
    expect(trips[0]!.action).toBe('rollback')
    expect(report.stopped).toBe('ended')
  })

  it('decides hold windows for a silent service once no line came for a window and the lateness', async () => {
    const feed = new LineFeed()
    const decided: GuardWindow[] = []
    const running = watcher({ onWindow: (window) => void decided.push(window) }).run(feed.source)
    const line = apiCallLine(
      { timestampMs: TRACE_START_MS + 2_000, user: 'u', treated: true, statusCode: 200, durationMs: 5 },
      true
    )
    feed.push([line])
    await feed.drained()
    wallMs += 2 * WINDOW_MS - 1
    ticker.fire()
    await until(() => true)
    expect(decided).toEqual([])
    wallMs += 1 + 2 * WINDOW_MS
    ticker.fire()
    await until(() => decided.length === 3)
    expect(
      decided.map((window) => [window.windowStartMs - TRACE_START_MS, window.decision, window.treatment.requests])
    ).toEqual([
      [0, 'hold', 1],
      [WINDOW_MS, 'hold', 0],
      [2 * WINDOW_MS, 'hold', 0]
    ])
    feed.end()
    await running
    expect(history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT).length).toBeGreaterThanOrEqual(3)
  })

  it('drops the open windows when stopped from outside, and decides them when the log ends', async () => {
    const line = apiCallLine(
      { timestampMs: TRACE_START_MS + 2_000, user: 'u', treated: true, statusCode: 200, durationMs: 5 },
      true
    )
    const stop = new AbortController()
    const aborted = new LineFeed()
    const running = watcher().run(aborted.source, stop.signal)
    aborted.push([line])
    await aborted.drained()
    stop.abort()
    expect((await running).stopped).toBe('aborted')
    expect(history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT)).toEqual([])

    const ended = new LineFeed()
    const finishing = watcher().run(ended.source)
    ended.push([line])
    ended.end()
    expect((await finishing).stopped).toBe('ended')
    expect(history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT).map((record) => record.decision)).toEqual([
      'hold'
    ])
  })

  it('uses the Docker timestamp of a line that has none of its own', async () => {
    const feed = new LineFeed()
    const running = watcher().run(feed.source)
    feed.push(
      ['{"event_type":"API_CALL","user_id":"u","status_code":500,"duration_ms":3}'],
      '2025-11-01T12:00:15.000000001Z'
    )
    feed.end()
    const report = await running
    expect(report.counts.unparsed).toBe(0)
    // Live windows start at the window watching began in, so the first one is empty.
    const stored = history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT)
    expect(
      stored.map((record) => [
        record.windowStart,
        (record.figures as { control: { requests: number } }).control.requests
      ])
    ).toEqual([
      ['2025-11-01T12:00:00.000Z', 0],
      ['2025-11-01T12:00:10.000Z', 1]
    ])
  })

  it('stops and throws when the trip handler fails', async () => {
    const events = generateTrace({
      seed: 32,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 8,
      requestsPerWindow: 500,
      treatment: FAILING
    })
    const feed = new LineFeed()
    const failure = new Error('rollback refused')
    const running = watcher({ onTrip: () => Promise.reject(failure) }).run(feed.source)
    feed.push(traceLines(events))
    await expect(running).rejects.toBe(failure)
    // Nothing after the failing trip was stored.
    expect(history.guardWindows.listGuardWindows(TRACE_FLAG, ENVIRONMENT).map((record) => record.decision)).toEqual([
      'breach',
      'trip'
    ])
  })

  it('attributes events without flags with the state it was last given', async () => {
    const feed = new LineFeed()
    const decided: GuardWindow[] = []
    const guard = watcher({ onWindow: (window) => void decided.push(window) })
    const running = guard.run(feed.source)
    const call = (offsetMs: number) =>
      JSON.stringify({
        timestamp: new Date(TRACE_START_MS + offsetMs).toISOString(),
        event_type: 'API_CALL',
        user_id: 'someone',
        status_code: 200,
        duration_ms: 1
      })
    guard.setFlagState(flagState({ rollout_percentage: 0 }))
    feed.push([call(1_000)])
    await feed.drained()
    guard.setFlagState(flagState({ rollout_percentage: 100 }))
    feed.push([call(2_000)])
    feed.end()
    await running
    expect([decided[0]!.control.requests, decided[0]!.treatment.requests]).toEqual([1, 1])
  })
})
