import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { GuardWindow } from '@main/guards/core/guard-engine'
import { guardSummaryJson, guardWindowJson } from '@main/guards/core/guard-replay-format'
import { replayGuardLog } from '@main/guards/guard-replay'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import {
  FAILING,
  flagState,
  generateTrace,
  HEALTHY,
  TRACE_FLAG,
  TRACE_START_MS,
  traceLines
} from '@test/fixtures/guard-traces'

const WINDOW_KEYS = ['window_start', 'treatment', 'control', 'decision', 'reasons']
const COHORT_KEYS = ['requests', 'failures', 'error_rate', 'p95_ms']
const SUMMARY_KEYS = ['verdict', 'first_trip_window', 'windows', 'unparsed_lines']
const GUARDS = {
  window_seconds: 10,
  min_requests: 100,
  max_error_rate: 0.05,
  max_latency_degradation: 0.5,
  breach_windows: 2
}

let dir: string

beforeAll(() => {
  requireBuiltCli()
})

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-cli-guards-'))
  writeJson('flag.json', flagState())
  writeJson('guards.json', GUARDS)
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function writeJson(name: string, value: unknown): string {
  const file = path.join(dir, name)
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return file
}

function writeLog(lines: readonly string[]): string {
  const file = path.join(dir, 'service.jsonl')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

function replay(args: string[]): CliRun {
  return runRampart(['guards', 'replay', ...args], { cwd: dir, env: { RAMPART_HOME: dir } })
}

/** `guards replay` of service.jsonl for TRACE_FLAG in the state flag.json holds. */
function replayTraceLog(extra: string[] = []): CliRun {
  return replay(['--log', 'service.jsonl', '--flag', TRACE_FLAG, '--flag-config', 'flag.json', ...extra])
}

function replayJson(extra: string[] = []): CliRun {
  return replayTraceLog(['--guards', 'guards.json', '--json', ...extra])
}

/** The in-process replay of the same file, formatted by the contract module: what the executable must print. */
async function expectedLines(file: string): Promise<unknown[]> {
  const windows: GuardWindow[] = []
  const report = await replayGuardLog(
    { logPath: file, flag: TRACE_FLAG, flagState: flagState(), settings: GUARDS },
    (batch) => {
      windows.push(...batch)
    }
  )
  return [...windows.map(guardWindowJson), guardSummaryJson(report.summary)]
}

describe('rampart guards replay --json', () => {
  it(
    'prints every window from the first event to the last with the contract fields in order, ' + 'then the summary',
    async () => {
      const events = generateTrace({
        seed: 41,
        flagState: flagState(),
        windowSeconds: 10,
        windows: 7,
        requestsPerWindow: (window) => (window === 3 ? 0 : 500),
        treatment: (window) => (window >= 4 ? FAILING : HEALTHY)
      })
      const file = writeLog([...traceLines(events, 4), 'not a log line'])
      const run = replayJson()
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      const lines = jsonLines(run.stdout) as Array<Record<string, unknown>>
      expect(lines).toHaveLength(8)
      for (const line of lines.slice(0, -1)) {
        expect(Object.keys(line)).toEqual(WINDOW_KEYS)
        expect(Object.keys(line.treatment as object)).toEqual(COHORT_KEYS)
        expect(Object.keys(line.control as object)).toEqual(COHORT_KEYS)
      }
      expect(lines.slice(0, -1).map((line) => line.window_start)).toEqual(
        [0, 1, 2, 3, 4, 5, 6].map((index) => new Date(TRACE_START_MS + index * 10_000).toISOString())
      )
      expect(lines[3]).toMatchObject({
        treatment: { requests: 0, failures: 0, error_rate: null, p95_ms: null },
        decision: 'hold'
      })
      const summary = lines.at(-1)!
      expect(Object.keys(summary)).toEqual(SUMMARY_KEYS)
      expect(summary).toEqual({
        verdict: 'trip',
        first_trip_window: new Date(TRACE_START_MS + 5 * 10_000).toISOString(),
        windows: 7,
        unparsed_lines: 1
      })
      expect(lines).toEqual(await expectedLines(file))
    }
  )

  it('says pass when windows had enough data and none tripped', () => {
    writeLog(
      traceLines(
        generateTrace({ seed: 42, flagState: flagState(), windowSeconds: 10, windows: 3, requestsPerWindow: 500 })
      )
    )
    expect(jsonLines(replayJson().stdout).at(-1)).toEqual({
      verdict: 'pass',
      first_trip_window: null,
      windows: 3,
      unparsed_lines: 0
    })
  })

  it('says hold when no window had enough treatment requests, whatever their failures', () => {
    writeLog(
      traceLines(
        generateTrace({
          seed: 43,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 3,
          requestsPerWindow: 60,
          treatment: FAILING
        })
      )
    )
    const run = replayJson()
    expect(run.status).toBe(0)
    expect(jsonLines(run.stdout).at(-1)).toEqual({
      verdict: 'hold',
      first_trip_window: null,
      windows: 3,
      unparsed_lines: 0
    })
  })

  it('attributes lines without flags with the --flag-config state', () => {
    writeLog(
      traceLines(
        generateTrace({
          seed: 44,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 1,
          requestsPerWindow: 200,
          withFlags: false
        })
      )
    )
    writeJson('everyone.json', flagState({ rollout_percentage: 100 }))
    const run = replay([
      '--log',
      'service.jsonl',
      '--flag',
      TRACE_FLAG,
      '--flag-config',
      'everyone.json',
      '--guards',
      'guards.json',
      '--json'
    ])
    expect(jsonLines(run.stdout)[0]).toMatchObject({ treatment: { requests: 200 }, control: { requests: 0 } })
  })

  it('applies single settings given on the command line over the --guards file', () => {
    writeLog(
      traceLines(
        generateTrace({
          seed: 45,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 2,
          requestsPerWindow: 60,
          treatment: FAILING
        })
      )
    )
    const run = replayJson(['--min-requests', '10', '--breach-windows', '1'])
    expect((jsonLines(run.stdout) as Array<{ decision?: string }>).slice(0, 2).map((line) => line.decision)).toEqual([
      'trip',
      'trip'
    ])
  })
})

describe('rampart guards replay --record', () => {
  it('stores the windows as a review entry naming the log’s SHA-256, which the review lists and exports', () => {
    const events = generateTrace({
      seed: 7,
      flagState: flagState(),
      windowSeconds: 10,
      windows: 6,
      requestsPerWindow: () => 500,
      treatment: (window) => (window >= 3 ? FAILING : HEALTHY)
    })
    const file = writeLog(traceLines(events, 4))
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex')
    const recorded = replayTraceLog(['--guards', 'guards.json', '--record'])
    expect(recorded.stderr).toBe('')
    expect(recorded.status).toBe(0)
    expect(recorded.stdout).toContain(`(replay:${sha256.slice(0, 12)})`)

    const listed = jsonLines(
      runRampart(['history', 'list', '--json'], { cwd: dir, env: { RAMPART_HOME: dir } }).stdout
    ) as Array<Record<string, unknown>>
    expect(listed).toEqual([
      expect.objectContaining({
        kind: 'replay',
        flag: TRACE_FLAG,
        environment: `replay:${sha256.slice(0, 12)}`,
        outcome: 'trip',
        detail: expect.objectContaining({ sha256, log: file, windows: 6, settings: expect.objectContaining(GUARDS) })
      })
    ])
    const exported = runRampart(['history', 'export', '--format', 'jsonl'], { cwd: dir, env: { RAMPART_HOME: dir } })
    const windows = (jsonLines(exported.stdout) as Array<Record<string, unknown>>).filter(
      (line) => line.kind === 'guard_window'
    )
    expect(windows).toHaveLength(6)
    expect(windows.map((line) => line.decision)).toContain('trip')
  })

  it('writes nothing to history without --record', () => {
    writeLog(
      traceLines(
        generateTrace({ seed: 8, flagState: flagState(), windowSeconds: 10, windows: 2, requestsPerWindow: 300 }),
        4
      )
    )
    expect(replayJson().status).toBe(0)
    const listed = runRampart(['history', 'list', '--json'], { cwd: dir, env: { RAMPART_HOME: dir } })
    expect(listed.stdout).toBe('')
  })
})

describe('rampart guards replay without --json', () => {
  it('prints a table with a header, one row per window and the verdict', () => {
    writeLog(
      traceLines(
        generateTrace({
          seed: 46,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 2,
          requestsPerWindow: 500,
          treatment: FAILING
        })
      )
    )
    const run = replayTraceLog(['--guards', 'guards.json'])
    expect(run.status).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^window start\s+treatment req\s+fail\s+err %\s+p95 ms\s+control req/)
    expect(lines[1]).toMatch(/^2025-11-01T12:00:00.000Z .* breach +treatment error rate/)
    expect(lines[2]).toMatch(/ TRIP +treatment error rate/)
    expect(lines[3]).toBe(
      'verdict: TRIP (first in the window from 2025-11-01T12:00:10.000Z); 2 windows from 1000 lines'
    )
  })
})

describe('rampart guards replay exit codes', () => {
  it('exits 2 naming the file and the field for a bad --guards file', () => {
    writeLog(['{}'])
    writeJson('bad.json', { ...GUARDS, max_error_rate: 2 })
    const run = replayTraceLog(['--guards', 'bad.json'])
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(`guard settings ${path.join(dir, 'bad.json')}: max_error_rate:`)
  })

  it('exits 2 naming the line and column of a --guards file that is not JSON', () => {
    writeLog(['{}'])
    writeJson('broken.json', '{\n  "window_seconds": 60,\n  "min_requests": ,\n}')
    const run = replayTraceLog(['--guards', 'broken.json'])
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/broken\.json is not valid JSON: line 3, column \d+/)
  })

  it('exits 2 naming an unknown setting', () => {
    writeLog(['{}'])
    writeJson('typo.json', { window_second: 60 })
    const run = replayTraceLog(['--guards', 'typo.json'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('window_second')
  })

  it('exits 2 for a missing --flag or a bad single setting', () => {
    writeLog(['{}'])
    const noFlag = replay(['--log', 'service.jsonl', '--flag-config', 'flag.json'])
    expect(noFlag.status).toBe(2)
    expect(noFlag.stderr).toContain('--flag is required')
    const badRate = replayTraceLog(['--max-error-rate', 'lots'])
    expect(badRate.status).toBe(2)
    expect(badRate.stderr).toContain('--max-error-rate lots is not a number')
    const outOfRange = replayTraceLog(['--max-error-rate', '1.5'])
    expect(outOfRange.status).toBe(2)
    expect(outOfRange.stderr).toContain('--max-error-rate 1.5:')
  })

  it('exits 2 naming the field of a bad --flag-config', () => {
    writeLog(['{}'])
    writeJson('flag-bad.json', { enabled: true, rollout_percentage: 150 })
    const run = replay(['--log', 'service.jsonl', '--flag', TRACE_FLAG, '--flag-config', 'flag-bad.json'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('rollout_percentage')
  })

  it('exits 1 naming the file when the log cannot be read', () => {
    const run = replay(['--log', 'missing.jsonl', '--flag', TRACE_FLAG, '--flag-config', 'flag.json', '--json'])
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(JSON.parse(run.stderr)).toEqual({
      error: { code: 'failed', message: `log file ${path.join(dir, 'missing.jsonl')} does not exist` }
    })
  })

  it("reads the flag state from the workspace's env file without --flag-config", () => {
    writeFileSync(path.join(dir, '.env'), 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=100\n')
    writeLog(
      traceLines(
        generateTrace({
          seed: 47,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 1,
          requestsPerWindow: 150,
          withFlags: false
        })
      )
    )
    const run = replay(['--log', 'service.jsonl', '--flag', TRACE_FLAG, '--guards', 'guards.json', '--json'])
    expect(run.stderr).toBe('')
    expect(jsonLines(run.stdout)[0]).toMatchObject({ treatment: { requests: 150 }, control: { requests: 0 } })
  })

  it('says to give --flag-config when an event needs the workspace flag and it cannot be read', () => {
    writeLog(
      traceLines(
        generateTrace({
          seed: 48,
          flagState: flagState(),
          windowSeconds: 10,
          windows: 1,
          requestsPerWindow: 50,
          withFlags: false
        })
      )
    )
    writeFileSync(path.join(dir, 'rampart.config.yaml'), 'environments:\n  local:\n    flags: [other_flag]\n')
    const run = replay(['--log', 'service.jsonl', '--flag', TRACE_FLAG])
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('to attribute events that carry no "flags"')
    expect(run.stderr).toContain('--flag-config FILE.json')
  })

  it('replays a log whose every event carries flags without reading any workspace (no .env, no config)', () => {
    writeLog(
      traceLines(
        generateTrace({ seed: 49, flagState: flagState(), windowSeconds: 10, windows: 2, requestsPerWindow: 150 })
      )
    )
    // A workspace that could not even be loaded: only an event without flags would need it.
    writeFileSync(path.join(dir, 'rampart.config.yaml'), 'environments: [broken\n')
    const run = replay(['--log', 'service.jsonl', '--flag', TRACE_FLAG, '--guards', 'guards.json', '--json'])
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ windows: 2, unparsed_lines: 0 })
  })
})
