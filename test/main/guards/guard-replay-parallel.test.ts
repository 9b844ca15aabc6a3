import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GuardEngine, type GuardWindow } from '@main/guards/core/guard-engine'
import { parseLogLine } from '@main/guards/core/log-event'
import { replayGuardLog, type GuardReplayRequest } from '@main/guards/guard-replay'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import {
  dockerTimestamp,
  FAILING,
  flagState,
  generateTrace,
  HEALTHY,
  shuffleWithinLateness,
  SLOW,
  TRACE_FLAG,
  traceLines
} from '@test/fixtures/guard-traces'

// Decisions of the replay read by worker threads against the sequential engine fed line by line
// with parseLogLine: window by window, counts and the first unparsed line, over the guard traces.

const SETTINGS: GuardThresholds = {
  window_seconds: 10,
  min_requests: 50,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-guard-replay-parallel-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** The sequential engine, fed in memory: the reference every way of reading must reproduce. */
function sequential(lines: readonly string[], state = flagState()) {
  const engine = new GuardEngine({ flag: TRACE_FLAG, flagState: state, settings: SETTINGS })
  const windows: GuardWindow[] = []
  let firstUnparsed: { line: number; why: string } | null = null
  lines.forEach((text, index) => {
    if (text.length === 0) return
    const parsed = parseLogLine(text)
    const before = engine.counts.unparsed
    engine.accept(parsed, windows)
    if (firstUnparsed === null && engine.counts.unparsed !== before)
      firstUnparsed = { line: index + 1, why: parsed.kind === 'unparsed' ? parsed.why : 'far' }
  })
  engine.finish(windows)
  return { windows, counts: { ...engine.counts }, firstUnparsed }
}

async function replay(file: string, parallel: GuardReplayRequest['parallel'], state: GuardReplayRequest['flagState']) {
  const windows: GuardWindow[] = []
  const report = await replayGuardLog(
    { logPath: file, flag: TRACE_FLAG, flagState: state, settings: SETTINGS, parallel },
    (batch) => {
      windows.push(...batch)
    }
  )
  return { windows, counts: report.counts, firstUnparsed: report.firstUnparsed }
}

/** Every trace shape the guard tests use, and the damage a real log has. */
function mixedLog(): string[] {
  const failing = generateTrace({
    seed: 41,
    flagState: flagState(),
    windowSeconds: 10,
    windows: 24,
    requestsPerWindow: (window) => (window === 5 ? 0 : 120),
    treatment: (window) => (window > 12 ? FAILING : HEALTHY),
    control: (window) => (window === 8 ? SLOW : HEALTHY),
    regulars: ['admin@example.com']
  })
  const withoutFlags = generateTrace({
    seed: 42,
    flagState: flagState(),
    windowSeconds: 10,
    windows: 24,
    requestsPerWindow: 40,
    withFlags: false,
    treatment: (window) => (window > 18 ? SLOW : HEALTHY)
  })
  const events = shuffleWithinLateness([...failing, ...withoutFlags], 8_000, 43)
  const lines = traceLines(events, 7)
  const damaged: string[] = []
  lines.forEach((line, index) => {
    damaged.push(line)
    if (index % 97 === 0) damaged.push('')
    if (index % 131 === 0) damaged.push('Traceback (most recent call last): worker restarted')
    if (index % 173 === 0) damaged.push(line.slice(0, 40))
    if (index % 211 === 0) damaged.push(`${dockerTimestamp(events[0]!.timestampMs)} ${line}`)
    if (index % 257 === 0) damaged.push(line.replace('"user_id":"', '"user_id":"\\u00e9l\\u00e8ve-'))
    if (index % 263 === 0) damaged.push(line.replace('"user_id":"', '"user_id":"élève-'))
    if (index % 307 === 0) damaged.push(line.replace(/"timestamp":"[^"]*"/, '"timestamp":"2019-01-01T00:00:00Z"'))
  })
  return damaged
}

describe('replayGuardLog read by worker threads', () => {
  it('decides every window of the traces exactly as the sequential engine, whatever the segment size', async () => {
    const lines = mixedLog()
    const file = path.join(dir, 'service.jsonl')
    writeFileSync(file, '\ufeff' + lines.join('\r\n') + '\r\n')
    const expected = sequential(lines)
    expect(expected.windows.some((window) => window.decision === 'trip')).toBe(true)
    expect(expected.counts.unparsed).toBeGreaterThan(0)
    for (const segmentBytes of [61, 997, 64 * 1024, 1024 * 1024]) {
      const actual = await replay(file, { workers: 2, segmentBytes }, flagState())
      expect(actual.windows, `segments of ${segmentBytes} bytes`).toEqual(expected.windows)
      expect(actual.counts).toEqual(expected.counts)
      expect(actual.firstUnparsed).toEqual(expected.firstUnparsed)
    }
    const onThisThread = await replay(file, { workers: 0, segmentBytes: 0 }, flagState())
    expect(onThisThread.windows).toEqual(expected.windows)
    expect(onThisThread.counts).toEqual(expected.counts)
  })

  it('reads the flag state when the first line needs it, then attributes as the sequential engine', async () => {
    const lines = mixedLog()
    const file = path.join(dir, 'service.jsonl')
    writeFileSync(file, lines.join('\n'))
    let loads = 0
    const actual = await replay(file, { workers: 3, segmentBytes: 4096 }, () => {
      loads += 1
      return Promise.resolve(flagState())
    })
    expect(loads).toBe(1)
    expect(actual.windows).toEqual(sequential(lines).windows)
  })

  it('gives the same windows for a file without a final newline and with one line longer than a segment', async () => {
    const events = generateTrace({
      seed: 44,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 6,
      requestsPerWindow: 80
    })
    const lines = traceLines(events)
    lines.splice(
      100,
      0,
      JSON.stringify({
        timestamp: new Date(events[99]!.timestampMs).toISOString(),
        event_type: 'NOTE',
        message: 'x'.repeat(50_000)
      })
    )
    const file = path.join(dir, 'service.jsonl')
    writeFileSync(file, lines.join('\n'))
    const actual = await replay(file, { workers: 2, segmentBytes: 8192 }, flagState())
    expect(actual.windows).toEqual(sequential(lines).windows)
    expect(actual.counts).toEqual(sequential(lines).counts)
  })
})
