// `rampart guards replay` over a 1,000,000-line service log (issue 4: "at least 300,000 lines per
// second, and within 1.5× of a bare read-and-JSON.parse loop measured in the same run; memory
// that does not grow with the length of the log"). The baseline reads the same file the same
// way (64 KiB stream chunks, one decode per chunk, lines cut with indexOf) and JSON.parses each
// line, nothing else. Runs alternate so a busy moment on the machine hits all alike.
import { spawnSync } from 'node:child_process'
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { ByteLineSplitter } from '@main/guards/core/byte-line-splitter'
import { GuardSettingsSchema } from '@shared/schemas/guard-settings'
import { replayGuardLog, type GuardReplayReport } from '@main/guards/guard-replay'
import { msList, report } from './bench-timing'

const LINES = 1_000_000
const SMALL_LINES = 250_000
const RUNS = Number(process.env.RAMPART_BENCH_RUNS ?? 3)
const GOAL_LINES_PER_SECOND = 300_000
const GOAL_RATIO = 1.5
const FLAG = 'unified_llm_hub'
const root = join(__dirname, '..')
const cli = join(root, 'bin', 'rampart.js')
const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-guards-'))
const STATE = {
  enabled: true,
  rollout_percentage: 25,
  whitelist_users: ['admin@example.com'],
  blacklist_users: [],
  start_date: '2025-10-27',
  end_date: null
}
const SETTINGS = GuardSettingsSchema.parse({})

/** Seeded, so every run replays the same log. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * About 70 requests a second for four hours: API_CALL lines of 150–220 bytes (most with
 * `flags`, some without, to be attributed by evaluation), FEATURE_FLAG and ERROR events, a few
 * malformed lines, and lines a few hundred ms out of order as a log shipper delivers them.
 */
async function writeLog(file: string, lines: number): Promise<void> {
  const random = seededRandom(lines)
  const out = createWriteStream(file)
  const startMs = Date.UTC(2025, 10, 1, 8, 0, 0)
  const endpoints = [
    '/api/v1/llm/providers',
    '/admin/llm-hub',
    '/admin/llm-provider-keys',
    '/api/v1/features/unified_llm_hub',
    '/health'
  ]
  let block: string[] = []
  for (let index = 0; index < lines; index += 1) {
    const atMs = startMs + Math.floor(index * 14.4) - Math.floor(random() * 300)
    const timestamp = new Date(atMs).toISOString()
    const user = `user-${Math.floor(random() * 20_000)}@example.com`
    const kind = random()
    let line: string
    if (kind < 0.9) {
      const treated = random() < 0.25
      const failed = random() < (treated ? 0.02 : 0.01)
      const record: Record<string, unknown> = {
        timestamp,
        event_type: 'API_CALL',
        user_id: user,
        endpoint: endpoints[Math.floor(random() * endpoints.length)],
        method: random() < 0.8 ? 'GET' : 'POST',
        status_code: failed ? 500 : random() < 0.05 ? 404 : 200,
        duration_ms: Math.round((40 + random() * (treated ? 260 : 240)) * 100) / 100
      }
      if (random() < 0.95) record.flags = { [FLAG]: treated }
      line = JSON.stringify(record)
    } else if (kind < 0.98) {
      line = JSON.stringify({
        timestamp,
        event_type: 'FEATURE_FLAG',
        user_id: user,
        flag: FLAG,
        enabled: false,
        reason: 'outside_rollout'
      })
    } else if (kind < 0.995) {
      line = JSON.stringify({
        timestamp,
        event_type: 'ERROR',
        user_id: user,
        error_type: 'UpstreamTimeout',
        message: 'provider did not answer within 30 s'
      })
    } else {
      line =
        random() < 0.5
          ? `Traceback (most recent call last): worker ${index} restarted`
          : `{"timestamp":"${timestamp}","event_type":"API_CALL","status_`
    }
    block.push(line)
    if (block.length === 10_000) {
      if (!out.write(`${block.join('\n')}\n`)) await once(out, 'drain')
      block = []
    }
  }
  if (block.length > 0) out.write(`${block.join('\n')}\n`)
  out.end()
  await once(out, 'finish')
}

/** The baseline: the same reading and line cutting, one JSON.parse per line, nothing else. */
async function bareLoop(file: string): Promise<number> {
  const splitter = new ByteLineSplitter()
  const lines: string[] = []
  let parsed = 0
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    splitter.push(chunk as Buffer, lines)
    for (const line of lines) {
      try {
        if (JSON.parse(line) !== null) parsed += 1
      } catch {
        // counted as not parsed, as the replay would
      }
    }
    lines.length = 0
  }
  return parsed
}

async function inProcess(file: string): Promise<GuardReplayReport> {
  let windows = 0
  const result = await replayGuardLog({ logPath: file, flag: FLAG, flagState: STATE, settings: SETTINGS }, (batch) => {
    windows += batch.length
  })
  if (windows !== result.summary.windows)
    throw new Error(`replay handed out ${windows} windows but counted ${result.summary.windows}`)
  return result
}

/**
 * The bare loop as a process of its own, for comparing with the CLI on equal terms: both start
 * node cold and warm up their JIT on the way. It runs the very ByteLineSplitter, transpiled.
 */
function writeBareLoopScript(): string {
  const source = readFileSync(join(root, 'src', 'main', 'core', 'byte-line-splitter.ts'), 'utf8')
  const splitter = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 }
  }).outputText
  writeFileSync(join(dir, 'byte-line-splitter.js'), splitter)
  const script = join(dir, 'bare-loop.js')
  writeFileSync(
    script,
    `const { createReadStream } = require('node:fs')
const { ByteLineSplitter } = require('./byte-line-splitter.js')
;(async () => {
  const splitter = new ByteLineSplitter()
  const lines = []
  let parsed = 0
  for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 64 * 1024 })) {
    splitter.push(chunk, lines)
    for (const line of lines) {
      try { if (JSON.parse(line) !== null) parsed += 1 } catch {}
    }
    lines.length = 0
  }
  process.stdout.write(parsed + '\\n')
})()
`
  )
  return script
}

function processMs(args: string[]): number {
  const devNull = openSync('/dev/null', 'w')
  try {
    const started = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', devNull, 'pipe'] })
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`)
    return elapsed
  } finally {
    closeSync(devNull)
  }
}

function cliArgs(file: string, configFile: string): string[] {
  return [cli, 'guards', 'replay', '--log', file, '--flag', FLAG, '--flag-config', configFile, '--json']
}

/** The CLI's summary line: proof that it did the same work as the in-process replay. */
function cliSummary(file: string, configFile: string): string {
  const result = spawnSync(process.execPath, cliArgs(file, configFile), {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  if (result.status !== 0) throw new Error(`rampart guards replay exited ${result.status}: ${result.stderr}`)
  return result.stdout.trimEnd().split('\n').at(-1)!
}

/** Peak resident memory of the CLI replaying `file`, in MiB. */
function cliPeakRssMiB(file: string, configFile: string): number {
  if (existsSync('/usr/bin/time')) {
    const result = spawnSync('/usr/bin/time', ['-v', process.execPath, ...cliArgs(file, configFile)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8'
    })
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)
    if (result.status !== 0 || match === null)
      throw new Error(`/usr/bin/time -v rampart guards replay failed: ${result.stderr}`)
    return Number(match[1]) / 1024
  }
  // No GNU time: the child reports its own peak when it exits.
  const reporter = join(dir, 'report-rss.cjs')
  writeFileSync(
    reporter,
    "process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'))\n"
  )
  const result = spawnSync(process.execPath, ['--require', reporter, ...cliArgs(file, configFile)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8'
  })
  const match = /maxrss (\d+)/.exec(result.stderr)
  if (result.status !== 0 || match === null) throw new Error(`rampart guards replay failed: ${result.stderr}`)
  return Number(match[1]) / 1024
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint()
  const value = await body()
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value }
}

function perSecond(lines: number, ms: number): string {
  return `${Math.round((lines / ms) * 1000).toLocaleString('en')} lines/s`
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js')))
    throw new Error('the CLI is not built: run "npx electron-vite build" first')
  const configFile = join(dir, 'flag.json')
  writeFileSync(configFile, JSON.stringify(STATE))
  const big = join(dir, 'service-1m.jsonl')
  const small = join(dir, 'service-250k.jsonl')
  try {
    await writeLog(big, LINES)
    await writeLog(small, SMALL_LINES)
    const bytes = statSync(big).size

    // Warm-up, and the proof that the process and the in-process replay agree.
    const expected = await inProcess(big)
    await bareLoop(big)
    const bareScript = writeBareLoopScript()
    processMs([bareScript, big])
    const summary = cliSummary(big, configFile)
    const expectedSummary = JSON.stringify({
      verdict: expected.summary.verdict,
      first_trip_window:
        expected.summary.firstTripWindowMs === null ? null : new Date(expected.summary.firstTripWindowMs).toISOString(),
      windows: expected.summary.windows,
      unparsed_lines: expected.summary.unparsedLines
    })
    if (summary !== expectedSummary)
      throw new Error(`the CLI summary ${summary} differs from the in-process ${expectedSummary}`)

    const bareMs: number[] = []
    const replayMs: number[] = []
    const bareProcessMs: number[] = []
    const cliRunsMs: number[] = []
    for (let run = 0; run < RUNS; run += 1) {
      bareMs.push((await timed(() => bareLoop(big))).ms)
      replayMs.push((await timed(() => inProcess(big))).ms)
      bareProcessMs.push(processMs([bareScript, big]))
      cliRunsMs.push(processMs(cliArgs(big, configFile)))
    }
    const nodeStartMs = median(
      [0, 1, 2].map(() => {
        const started = process.hrtime.bigint()
        spawnSync(process.execPath, ['-e', '0'])
        return Number(process.hrtime.bigint() - started) / 1e6
      })
    )
    const baseline = median(bareMs)
    const replay = median(replayMs)
    const processBaseline = median(bareProcessMs)
    const cliTotal = median(cliRunsMs)

    report(
      `guards replay, ${LINES.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(1)} MB, ` +
        `${expected.summary.windows} windows, ${expected.summary.unparsedLines} unparsed ` +
        `(median of ${RUNS}, alternating)`,
      [
        { name: 'bare loop: stream + split + JSON.parse (baseline)', ms: baseline },
        { name: 'replayGuardLog in process', ms: replay, baselineMs: baseline },
        { name: 'bare loop as a process (process baseline)', ms: processBaseline },
        { name: 'rampart guards replay --json > /dev/null', ms: cliTotal, baselineMs: processBaseline },
        { name: '  of which node start-up (node -e 0)', ms: nodeStartMs, baselineMs: processBaseline }
      ]
    )
    console.log(
      `  throughput: baseline ${perSecond(LINES, baseline)}; in process ${perSecond(LINES, replay)}; ` +
        `CLI ${perSecond(LINES, cliTotal)}`
    )
    console.log(
      `  runs: baseline ${msList(bareMs)} ms; in process ${msList(replayMs)} ms; ` +
        `process baseline ${msList(bareProcessMs)} ms; CLI ${msList(cliRunsMs)} ms`
    )

    const smallRss = cliPeakRssMiB(small, configFile)
    const bigRss = cliPeakRssMiB(big, configFile)
    console.log(
      `  peak RSS of the CLI: ${smallRss.toFixed(1)} MiB for ${SMALL_LINES.toLocaleString('en')} lines, ` +
        `${bigRss.toFixed(1)} MiB for ${LINES.toLocaleString('en')} lines ` +
        `(×${(bigRss / smallRss).toFixed(2)} for ×${LINES / SMALL_LINES} the lines)`
    )

    const cliRate = (LINES / cliTotal) * 1000
    const inProcessRatio = replay / baseline
    const cliRatio = cliTotal / processBaseline
    console.log(
      `  goal ≥ ${GOAL_LINES_PER_SECOND.toLocaleString('en')} lines/s (CLI, start-up included): ` +
        `${cliRate >= GOAL_LINES_PER_SECOND ? 'met' : 'NOT met'}`
    )
    console.log(
      `  goal ≤ ${GOAL_RATIO}× the bare loop: ` +
        `${inProcessRatio <= GOAL_RATIO && cliRatio <= GOAL_RATIO ? 'met' : 'NOT met'} ` +
        `(in process ${inProcessRatio.toFixed(2)}×, CLI against the bare loop as a process ${cliRatio.toFixed(2)}×)`
    )
    // Flat: four times the lines may not cost more than a quarter more memory.
    console.log(`  goal memory flat: ${bigRss <= smallRss * 1.25 ? 'met' : 'NOT met'}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
