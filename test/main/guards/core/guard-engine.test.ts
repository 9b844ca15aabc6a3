import { describe, expect, it } from 'vitest'
import type { FlagState } from '@shared/flag-state'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import {
  GuardEngine,
  MAX_WINDOW_GAP,
  needsFlagState,
  type GuardCounts,
  type GuardWindow
} from '@main/guards/core/guard-engine'
import { parseLogLine } from '@main/guards/core/log-event'
import {
  apiCallLine,
  dockerTimestamp,
  FAILING,
  flagState,
  generateTrace,
  HEALTHY,
  seededRandom,
  shuffleWithinLateness,
  SLOW,
  TRACE_FLAG,
  TRACE_START_MS,
  traceLines,
  type TraceEvent
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

interface Run {
  windows: GuardWindow[]
  counts: GuardCounts
}

function replay(
  lines: readonly string[],
  options: { state?: FlagState | null; settings?: Partial<GuardThresholds>; latenessSeconds?: number } = {}
): Run {
  const engine = new GuardEngine({
    flag: TRACE_FLAG,
    flagState: options.state === undefined ? flagState() : options.state,
    settings: { ...SETTINGS, ...options.settings },
    latenessSeconds: options.latenessSeconds
  })
  const windows: GuardWindow[] = []
  for (const line of lines) engine.accept(parseLogLine(line), windows)
  engine.finish(windows)
  return { windows, counts: { ...engine.counts } }
}

function decisions(run: Run): string[] {
  return run.windows.map((window) => window.decision)
}

function nearestRankP95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil((95 * sorted.length) / 100) - 1]!
}

/** What the engine must find in window `index`, computed from the trace's own truth. */
function expectedFigures(events: readonly TraceEvent[], index: number, treated: boolean) {
  const start = TRACE_START_MS + index * WINDOW_MS
  const mine = events.filter(
    (event) => event.treated === treated && event.timestampMs >= start && event.timestampMs < start + WINDOW_MS
  )
  const failures = mine.filter((event) => event.statusCode >= 500).length
  return {
    requests: mine.length,
    failures,
    errorRate: mine.length === 0 ? null : failures / mine.length,
    p95Ms: mine.length === 0 ? null : nearestRankP95(mine.map((event) => event.durationMs))
  }
}

describe('guard engine decisions on generated traces', () => {
  it('passes every window of a healthy rollout', () => {
    const events = generateTrace({
      seed: 1,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 6,
      requestsPerWindow: 600
    })
    const run = replay(traceLines(events, 7))
    expect(decisions(run)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass'])
    expect(run.counts.unparsed).toBe(0)
  })

  it('counts requests, failures, error rate and p95 per cohort exactly as the trace holds them', () => {
    const events = generateTrace({
      seed: 2,
      flagState: flagState({ rollout_percentage: 25 }),
      windowSeconds: WINDOW_SECONDS,
      windows: 4,
      requestsPerWindow: 800,
      treatment: FAILING
    })
    const run = replay(traceLines(events), { state: flagState({ rollout_percentage: 25 }) })
    expect(run.windows).toHaveLength(4)
    run.windows.forEach((window, index) => {
      expect(window.windowStartMs).toBe(TRACE_START_MS + index * WINDOW_MS)
      expect(window.treatment).toEqual(expectedFigures(events, index, true))
      expect(window.control).toEqual(expectedFigures(events, index, false))
    })
  })

  it('breaches on an error regression and trips on the second breach in a row', () => {
    const events = generateTrace({
      seed: 3,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 6,
      requestsPerWindow: 600,
      treatment: (window) => (window >= 3 ? FAILING : HEALTHY)
    })
    const run = replay(traceLines(events))
    expect(decisions(run).slice(0, 5)).toEqual(['pass', 'pass', 'pass', 'breach', 'trip'])
    expect(run.windows[3]!.reasons[0]).toMatch(/^treatment error rate 0\.\d+ > 0\.05$/)
    expect(run.windows[4]!.reasons.at(-1)).toBe('2 breaches in a row (breach_windows 2): trip')
  })

  it('starts counting again after a trip, so a lasting regression trips every breach_windows windows', () => {
    const events = generateTrace({
      seed: 4,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 6,
      requestsPerWindow: 600,
      treatment: FAILING
    })
    expect(decisions(replay(traceLines(events)))).toEqual(['breach', 'trip', 'breach', 'trip', 'breach', 'trip'])
    expect(decisions(replay(traceLines(events), { settings: { breach_windows: 3 } }))).toEqual([
      'breach',
      'breach',
      'trip',
      'breach',
      'breach',
      'trip'
    ])
  })

  it('breaches on a latency regression when control has enough requests to compare', () => {
    const events = generateTrace({
      seed: 5,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 2,
      requestsPerWindow: 600,
      treatment: SLOW
    })
    const run = replay(traceLines(events), { settings: { breach_windows: 3 } })
    expect(decisions(run)).toEqual(['breach', 'breach'])
    const window = run.windows[0]!
    expect(window.control.requests).toBeGreaterThanOrEqual(100)
    expect(window.reasons[0]).toBe(
      `treatment p95 ${window.treatment.p95Ms} ms > 1.5 × control p95 ${window.control.p95Ms} ms`
    )
  })

  it('does not compare latency when control has fewer than min_requests', () => {
    // At 95 % almost everyone is in treatment: control has too few requests to be a baseline.
    const state = flagState({ rollout_percentage: 95 })
    const events = generateTrace({
      seed: 6,
      flagState: state,
      windowSeconds: WINDOW_SECONDS,
      windows: 2,
      requestsPerWindow: 600,
      treatment: SLOW
    })
    const run = replay(traceLines(events), { state })
    expect(run.windows[0]!.control.requests).toBeLessThan(100)
    expect(decisions(run)).toEqual(['pass', 'pass'])
    expect(run.windows[0]!.reasons).toContain(
      `control ${run.windows[0]!.control.requests} requests < min_requests 100: latency not compared`
    )
  })

  it('holds, and never breaches, when treatment has little traffic however many requests fail', () => {
    const events = generateTrace({
      seed: 7,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 5,
      requestsPerWindow: 120,
      treatment: { failureRate: 0.6, latencyMs: [900, 1500] }
    })
    const run = replay(traceLines(events))
    expect(decisions(run)).toEqual(['hold', 'hold', 'hold', 'hold', 'hold'])
    for (const window of run.windows) {
      expect(window.treatment.errorRate!).toBeGreaterThan(0.3)
      expect(window.reasons).toEqual([`treatment ${window.treatment.requests} requests < min_requests 100`])
    }
  })

  it('never trips when breaches and passes alternate', () => {
    const events = generateTrace({
      seed: 8,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 8,
      requestsPerWindow: 600,
      treatment: (window) => (window % 2 === 0 ? FAILING : HEALTHY)
    })
    const run = replay(traceLines(events))
    expect(decisions(run)).toEqual(['breach', 'pass', 'breach', 'pass', 'breach', 'pass', 'breach', 'pass'])
  })

  it('keeps the breach count across a hold, so breach, hold, breach trips', () => {
    const events = generateTrace({
      seed: 9,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 3,
      requestsPerWindow: (window) => (window === 1 ? 40 : 600),
      treatment: FAILING
    })
    const run = replay(traceLines(events))
    expect(decisions(run)).toEqual(['breach', 'hold', 'trip'])
    expect(run.windows[1]!.breachStreak).toBe(1)
  })

  it('emits the empty windows between the first and the last event as holds that keep the count', () => {
    const events = generateTrace({
      seed: 10,
      flagState: flagState(),
      windowSeconds: WINDOW_SECONDS,
      windows: 6,
      requestsPerWindow: (window) => (window >= 1 && window <= 3 ? 0 : 600),
      treatment: FAILING
    })
    const run = replay(traceLines(events))
    expect(run.windows.map((window) => window.windowStartMs)).toEqual(
      [0, 1, 2, 3, 4, 5].map((index) => TRACE_START_MS + index * WINDOW_MS)
    )
    expect(decisions(run)).toEqual(['breach', 'hold', 'hold', 'hold', 'trip', 'breach'])
    const empty = run.windows[2]!
    expect(empty.treatment).toEqual({ requests: 0, failures: 0, errorRate: null, p95Ms: null })
    expect(empty.control).toEqual({ requests: 0, failures: 0, errorRate: null, p95Ms: null })
    expect(empty.reasons).toEqual(['treatment 0 requests < min_requests 100'])
  })

  it('emits nothing for a log without events', () => {
    expect(replay(['', 'not json']).windows).toEqual([])
  })
})

describe('guard engine input', () => {
  const events = generateTrace({
    seed: 11,
    flagState: flagState(),
    windowSeconds: WINDOW_SECONDS,
    windows: 8,
    requestsPerWindow: 500,
    treatment: (window) => (window >= 4 ? FAILING : HEALTHY)
  })
  const sorted = replay(traceLines(events))

  it('uses the JSON timestamp over a Docker timestamp prefix', () => {
    // The prefix is a whole window off: were it used, every event would move window.
    const lines = events.map((event) => `${dockerTimestamp(event.timestampMs + WINDOW_MS)} ${event.line}`)
    expect(replay(lines).windows).toEqual(sorted.windows)
  })

  it('uses the Docker timestamp prefix when the JSON has no timestamp', () => {
    const lines = events.map((event) => {
      const { timestamp: _dropped, ...rest } = JSON.parse(event.line) as Record<string, unknown>
      return `${dockerTimestamp(event.timestampMs)} ${JSON.stringify(rest)}`
    })
    expect(replay(lines).windows).toEqual(sorted.windows)
  })

  it('gives the same decisions for lines out of order within the lateness as for the sorted log', () => {
    for (const seed of [1, 2, 3]) {
      const shuffled = shuffleWithinLateness(events, WINDOW_MS, seed)
      expect(shuffled.map((event) => event.line)).not.toEqual(events.map((event) => event.line))
      expect(replay(shuffled.map((event) => event.line)).windows).toEqual(sorted.windows)
    }
  })

  it('counts an event further behind than the lateness as late and leaves it out of its window', () => {
    const lines = traceLines(events)
    const first = events[0]!
    // Placed after the events of window 3: window 0 was decided once window 2's events came in.
    const straggler = apiCallLine({ ...first, statusCode: 500 }, true)
    const index = events.findIndex((event) => event.timestampMs >= TRACE_START_MS + 3 * WINDOW_MS)
    const run = replay([...lines.slice(0, index), straggler, ...lines.slice(index)])
    expect(run.counts.late).toBe(1)
    expect(run.windows).toEqual(sorted.windows)
  })

  it('counts malformed lines as unparsed and decides as if they were not there', () => {
    const noise = [
      'Starting server on :8080',
      '{"timestamp": "2025-11-01T12:00:01Z", "event_type": "API_CALL", ',
      '[1, 2, 3]',
      '{"event_type":"API_CALL","status_code":500,"duration_ms":10}',
      '{"timestamp":"yesterday","event_type":"API_CALL","status_code":500,"duration_ms":10}',
      '{"timestamp":"2025-11-01T12:00:01Z","event_type":"API_CALL","duration_ms":10}',
      '{"timestamp":"2025-11-01T12:00:01Z","event_type":"API_CALL","status_code":500,"duration_ms":"slow"}',
      '\u0000\u0001 binary',
      '{"timestamp":"2025-11-01T12:00:01Z","status_code":500,"duration_ms":10}'
    ]
    const random = seededRandom(12)
    const lines: string[] = []
    for (const line of traceLines(events)) {
      lines.push(line)
      if (random() < 0.05) lines.push(noise[Math.floor(random() * noise.length)]!)
    }
    const run = replay(lines)
    expect(run.counts.unparsed).toBe(lines.length - events.length)
    expect(run.counts.unparsed).toBeGreaterThan(50)
    expect(run.windows).toEqual(sorted.windows)
  })

  it(
    'counts an event with a timestamp far beyond the others ' +
      'as unparsed instead of deciding thousands of empty windows',
    () => {
      const lines = traceLines(events)
      const far = apiCallLine({ ...events[10]!, timestampMs: TRACE_START_MS + (MAX_WINDOW_GAP + 10) * WINDOW_MS }, true)
      const run = replay([...lines.slice(0, 20), far, ...lines.slice(20)])
      expect(run.counts.unparsed).toBe(1)
      expect(run.windows).toEqual(sorted.windows)
    }
  )

  it('ignores events other than API_CALL for the figures but lets them move time on', () => {
    const lines = traceLines(events, 3)
    expect(replay(lines).windows).toEqual(sorted.windows)
  })
})

describe('guard engine attribution of events without flags', () => {
  it('needs the flag state only for an API_CALL with a user and without flags for the flag', () => {
    const call = (extra: object): string =>
      JSON.stringify({
        timestamp: '2025-11-03T12:00:00Z',
        event_type: 'API_CALL',
        status_code: 200,
        duration_ms: 12,
        ...extra
      })
    const needs = (line: string): boolean => needsFlagState(parseLogLine(line), TRACE_FLAG)
    expect(needs(call({ user_id: 'u1' }))).toBe(true)
    expect(needs(call({ user_id: 'u1', flags: { other_flag: true } }))).toBe(true)
    expect(needs(call({ user_id: 'u1', flags: { [TRACE_FLAG]: false } }))).toBe(false)
    expect(needs(call({ flags: {} }))).toBe(false)
    expect(needs(JSON.stringify({ timestamp: '2025-11-03T12:00:00Z', event_type: 'PAGE_VIEW', user_id: 'u1' }))).toBe(
      false
    )
    expect(needs('not json')).toBe(false)
  })

  it('evaluates the flag state for the user at the event time, as the service would have', () => {
    const state = flagState({ rollout_percentage: 30 })
    const events = generateTrace({
      seed: 13,
      flagState: state,
      windowSeconds: WINDOW_SECONDS,
      windows: 3,
      requestsPerWindow: 700,
      withFlags: false
    })
    const run = replay(traceLines(events), { state })
    run.windows.forEach((window, index) => {
      expect(window.treatment).toEqual(expectedFigures(events, index, true))
      expect(window.control).toEqual(expectedFigures(events, index, false))
      expect(window.unattributed).toBe(0)
    })
  })

  it('puts a whitelisted user in treatment and honours a start date that opens mid-log', () => {
    // A 100 % rollout whose start_date opens at the third window: before it only the
    // whitelisted admin (listed with other case and a trailing space) sees the feature.
    const opensAt = new Date(TRACE_START_MS + 2 * WINDOW_MS).toISOString().replace('.000Z', 'Z')
    const state = flagState({ rollout_percentage: 100, whitelist_users: ['Admin@Example.com '], start_date: opensAt })
    const admin = 'admin@example.com'
    const events = generateTrace({
      seed: 14,
      flagState: state,
      windowSeconds: WINDOW_SECONDS,
      windows: 4,
      requestsPerWindow: 300,
      regulars: [admin, admin, admin],
      withFlags: false
    })
    const run = replay(traceLines(events), { state, settings: { min_requests: 1 } })
    const adminCalls = (index: number) =>
      events.filter(
        (event) => event.user === admin && Math.floor((event.timestampMs - TRACE_START_MS) / WINDOW_MS) === index
      ).length
    expect(run.windows[0]!.treatment.requests).toBe(adminCalls(0))
    expect(run.windows[1]!.treatment.requests).toBe(adminCalls(1))
    expect(run.windows[0]!.control.requests).toBe(300)
    // From the start date on, 100 % rollout: everyone is in treatment.
    expect(run.windows[2]!.treatment.requests).toBe(300 + adminCalls(2))
    expect(run.windows[3]!.control.requests).toBe(0)
  })

  it('prefers what the line says the user was served over the evaluation', () => {
    const events = generateTrace({
      seed: 15,
      flagState: flagState({ rollout_percentage: 10 }),
      windowSeconds: WINDOW_SECONDS,
      windows: 2,
      requestsPerWindow: 400
    })
    // The engine is told 90 %: lines with flags must still be split as they were served (10 %).
    const run = replay(traceLines(events), { state: flagState({ rollout_percentage: 90 }) })
    expect(run.windows[0]!.treatment).toEqual(expectedFigures(events, 0, true))
  })

  it('counts events with neither flags nor a user id, or without a flag state, as unattributed', () => {
    const at = new Date(TRACE_START_MS + 1000).toISOString()
    const anonymous = JSON.stringify({ timestamp: at, event_type: 'API_CALL', status_code: 200, duration_ms: 5 })
    const otherFlag = JSON.stringify({
      timestamp: at,
      event_type: 'API_CALL',
      user_id: 'u1',
      status_code: 200,
      duration_ms: 5,
      flags: { other: true }
    })
    const withState = replay([anonymous, otherFlag])
    expect(withState.counts.unattributed).toBe(1)
    expect(withState.windows[0]!.unattributed).toBe(1)
    expect(withState.windows[0]!.treatment.requests + withState.windows[0]!.control.requests).toBe(1)
    const withoutState = replay([anonymous, otherFlag], { state: null })
    expect(withoutState.counts.unattributed).toBe(2)
  })
})

describe('guard engine p95', () => {
  // Nearest rank: the value at rank ⌈0.95·n⌉ of the sorted values.
  const cases: Array<[number, number]> = [
    [1, 1],
    [19, 19],
    [20, 19],
    [21, 20],
    [100, 95]
  ]
  for (const [count, expected] of cases) {
    it(`is the value at rank ${expected} of ${count} durations`, () => {
      const random = seededRandom(count)
      const durations = Array.from({ length: count }, (_, index) => index + 1).sort(() => random() - 0.5)
      const lines = durations.map((durationMs, index) =>
        apiCallLine(
          { timestampMs: TRACE_START_MS + index, user: `u${index}`, treated: true, statusCode: 200, durationMs },
          true
        )
      )
      const run = replay(lines, { settings: { min_requests: 1 } })
      expect(run.windows[0]!.treatment.p95Ms).toBe(expected)
      expect(run.windows[0]!.control.p95Ms).toBeNull()
    })
  }
})

describe('guard engine, live', () => {
  function liveEngine(startMs: number): GuardEngine {
    return new GuardEngine({ flag: TRACE_FLAG, flagState: flagState(), settings: SETTINGS, firstWindowFromMs: startMs })
  }

  it('decides the empty windows of a silent service as holds when time is moved on', () => {
    const engine = liveEngine(TRACE_START_MS + 3_000)
    const out: GuardWindow[] = []
    engine.advanceTo(TRACE_START_MS + 3 * WINDOW_MS, out)
    expect(out.map((window) => [window.windowStartMs, window.decision])).toEqual([
      [TRACE_START_MS, 'hold'],
      [TRACE_START_MS + WINDOW_MS, 'hold']
    ])
  })

  it('counts events from before the first watched window as late', () => {
    const engine = liveEngine(TRACE_START_MS + WINDOW_MS)
    const out: GuardWindow[] = []
    const early = apiCallLine(
      { timestampMs: TRACE_START_MS + 5, user: 'u', treated: true, statusCode: 500, durationMs: 1 },
      true
    )
    engine.accept(parseLogLine(early), out)
    expect(engine.counts.late).toBe(1)
  })
})
