import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RampartError } from '@shared/errors'
import { GuardEngine, type GuardWindow } from '@main/guards/core/guard-engine'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { parseLogLine, UNPARSED_REASONS } from '@main/guards/core/log-event'
import { replayGuardLog } from '@main/guards/guard-replay'
import { FAILING, flagState, generateTrace, HEALTHY, TRACE_FLAG, traceLines } from '@test/fixtures/guard-traces'

const SETTINGS: GuardThresholds = {
  window_seconds: 10,
  min_requests: 100,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-guard-replay-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function writeLog(lines: readonly string[], ending = '\n'): string {
  const file = path.join(dir, 'service.jsonl')
  writeFileSync(file, lines.join(ending) + ending)
  return file
}

async function replayFile(logPath: string) {
  const windows: GuardWindow[] = []
  const report = await replayGuardLog(
    { logPath, flag: TRACE_FLAG, flagState: flagState(), settings: SETTINGS },
    (batch) => {
      windows.push(...batch)
    }
  )
  return { windows, report }
}

/** The engine fed line by line in memory: what the streamed replay must reproduce. */
function inMemory(lines: readonly string[]): GuardWindow[] {
  const engine = new GuardEngine({ flag: TRACE_FLAG, flagState: flagState(), settings: SETTINGS })
  const out: GuardWindow[] = []
  for (const line of lines) engine.accept(parseLogLine(line), out)
  engine.finish(out)
  return out
}

describe('replayGuardLog', () => {
  it('streams a file of many chunks to the same windows as the engine fed in memory', async () => {
    const events = generateTrace({
      seed: 21,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 30,
      requestsPerWindow: 400,
      treatment: (window) => (window > 20 ? FAILING : HEALTHY)
    })
    const lines = traceLines(events, 5)
    const { windows, report } = await replayFile(writeLog(lines, '\r\n'))
    expect(windows).toEqual(inMemory(lines))
    expect(report.summary).toEqual({
      verdict: 'trip',
      firstTripWindowMs: windows.find((window) => window.decision === 'trip')!.windowStartMs,
      windows: 30,
      unparsedLines: 0
    })
    expect(report.counts.lines).toBe(lines.length)
  })

  it('skips blank lines and names the first unparsed line by its number in the file', async () => {
    const events = generateTrace({
      seed: 22,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 2,
      requestsPerWindow: 50
    })
    const lines = ['', ...traceLines(events).slice(0, 3), 'panic: something', ...traceLines(events).slice(3), '{"oops"']
    const { report } = await replayFile(writeLog(lines))
    expect(report.summary.unparsedLines).toBe(2)
    expect(report.firstUnparsed).toEqual({ line: 5, why: UNPARSED_REASONS.notJson })
    expect(report.summary.verdict).toBe('hold')
  })

  it('reports a pass verdict when windows had enough data and none tripped', async () => {
    const events = generateTrace({
      seed: 23,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 3,
      requestsPerWindow: 400
    })
    const { report } = await replayFile(writeLog(traceLines(events)))
    expect(report.summary.verdict).toBe('pass')
    expect(report.summary.firstTripWindowMs).toBeNull()
  })

  it('fails as an operational error naming the file when the log cannot be read', async () => {
    const missing = path.join(dir, 'missing.jsonl')
    await expect(replayFile(missing)).rejects.toThrow(new RampartError('failed', `log file ${missing} does not exist`))
    const folder = path.join(dir, 'folder')
    mkdirSync(folder)
    await expect(replayFile(folder)).rejects.toMatchObject({
      code: 'failed',
      message: `log file ${folder} is a directory`
    })
  })

  it('lets an error of the consumer through unchanged', async () => {
    const events = generateTrace({
      seed: 24,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 3,
      requestsPerWindow: 400
    })
    const file = writeLog(traceLines(events))
    const broken = new Error('stdout closed')
    await expect(
      replayGuardLog({ logPath: file, flag: TRACE_FLAG, flagState: flagState(), settings: SETTINGS }, () => {
        throw broken
      })
    ).rejects.toBe(broken)
  })
})
