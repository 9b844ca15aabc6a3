// `rampart guards replay` over a 1,000,000-line service log against DuckDB (`@duckdb/node-api`),
// one SQL query over `read_json` that computes the same per-window figures, with 2 threads and
// with 1. Both run as processes from spawn to exit (node start-up and loading included for both),
// alternating round by round; peak memory from the same runs. Before timing, the CLI's windows
// and DuckDB's rows are compared figure by figure.
//
// The flag config is off, so an API_CALL without `flags` is attributed to control by evaluation
// in Rampart and by COALESCE(flags.F, false) in the query: DuckDB has no murmur3 to evaluate a
// rollout, and the figures must be the same to be compared.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FLAG, writeLog } from './service-log'
import { median, recordFigure } from './bench-results'

const LINES = 1_000_000
const RUNS = Number(process.env.RAMPART_BENCH_RUNS ?? 3)
const root = join(__dirname, '..')
const cli = join(root, 'bin', 'rampart.js')
const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-guards-'))
const STATE = {
  enabled: false,
  rollout_percentage: 25,
  whitelist_users: [],
  blacklist_users: [],
  start_date: null,
  end_date: null
}

/** A cohort's figures as both sides print them. */
type Cohort = { requests: number; failures: number; p95_ms: number | null }
type Windows = Map<string, { treatment: Cohort; control: Cohort }>

function duckdbScript(): string {
  const script = join(dir, 'duckdb-replay.mjs')
  writeFileSync(
    script,
    `import { DuckDBInstance } from ${JSON.stringify(require.resolve('@duckdb/node-api'))}
const [file, threads] = process.argv.slice(2)
const instance = await DuckDBInstance.create(':memory:', { threads })
const connection = await instance.connect()
const reader = await connection.runAndReadAll(\`
  WITH events AS (
    SELECT epoch_ms(CAST("timestamp" AS TIMESTAMPTZ)) AS at_ms, status_code, duration_ms,
           COALESCE(flags.${FLAG}, false) AS treated
    FROM read_json('\${file}', format = 'newline_delimited', ignore_errors = true,
      columns = {"timestamp": 'VARCHAR', event_type: 'VARCHAR', status_code: 'BIGINT', duration_ms: 'DOUBLE',
                 flags: 'STRUCT(${FLAG} BOOLEAN)'})
    WHERE event_type = 'API_CALL' AND status_code IS NOT NULL AND duration_ms >= 0 AND "timestamp" IS NOT NULL
  )
  SELECT (at_ms // 60000) * 60000 AS window_start, treated,
         count(*)::INTEGER AS requests,
         (count(*) FILTER (WHERE status_code >= 500))::INTEGER AS failures,
         list_sort(list(duration_ms))[(95 * count(*) + 99) // 100] AS p95_ms
  FROM events GROUP BY ALL ORDER BY 1, 2\`)
for (const row of reader.getRowObjectsJS())
  process.stdout.write(JSON.stringify({ ...row, window_start: Number(row.window_start) }) + '\\n')
`
  )
  return script
}

interface Run {
  ms: number
  peakMiB: number
  stdout: string
}

/** One process from spawn to exit, with its peak resident memory (GNU time, else the child's own report). */
function run(args: string[]): Run {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const match = /maxrss (\d+)/.exec(result.stderr)
  if (result.status !== 0 || match === null) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`)
  return { ms, peakMiB: Number(match[1]) / 1024, stdout: result.stdout }
}

function rampartWindows(stdout: string): Windows {
  const windows: Windows = new Map()
  for (const line of stdout.trimEnd().split('\n')) {
    const parsed = JSON.parse(line) as { window_start?: string; treatment: Cohort; control: Cohort }
    if (parsed.window_start === undefined) continue
    const strip = ({ requests, failures, p95_ms }: Cohort): Cohort => ({ requests, failures, p95_ms })
    windows.set(String(Date.parse(parsed.window_start)), {
      treatment: strip(parsed.treatment),
      control: strip(parsed.control)
    })
  }
  return windows
}

function duckdbWindows(stdout: string): Windows {
  const windows: Windows = new Map()
  const empty = (): Cohort => ({ requests: 0, failures: 0, p95_ms: null })
  for (const line of stdout.trimEnd().split('\n')) {
    const row = JSON.parse(line) as { window_start: number; treated: boolean } & Cohort
    const key = String(row.window_start)
    const window = windows.get(key) ?? { treatment: empty(), control: empty() }
    window[row.treated ? 'treatment' : 'control'] = {
      requests: row.requests,
      failures: row.failures,
      p95_ms: row.p95_ms
    }
    windows.set(key, window)
  }
  return windows
}

/** Window by window; a window Rampart decided empty is one DuckDB has no row for. */
function compare(rampart: Windows, duckdb: Windows): string {
  let compared = 0
  for (const [start, window] of rampart) {
    const other = duckdb.get(start)
    const empty = window.treatment.requests === 0 && window.control.requests === 0
    if (other === undefined && empty) continue
    if (JSON.stringify(window) !== JSON.stringify(other))
      throw new Error(
        `window ${new Date(Number(start)).toISOString()}: rampart ${JSON.stringify(window)}, ` +
          `duckdb ${JSON.stringify(other)}`
      )
    compared += 1
  }
  const extra = [...duckdb.keys()].filter((start) => !rampart.has(start))
  if (extra.length > 0) throw new Error(`DuckDB has windows Rampart has not: ${extra.join(', ')}`)
  return (
    `yes, window by window: ${compared} windows with requests, identical requests, failures and p95 ` +
    `per cohort (${rampart.size} windows in all)`
  )
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js')))
    throw new Error('the CLI is not built: run "npx electron-vite build" first')
  const configFile = join(dir, 'flag.json')
  writeFileSync(configFile, JSON.stringify(STATE))
  const log = join(dir, 'service-1m.jsonl')
  const duckdb = duckdbScript()
  const rampartArgs = [cli, 'guards', 'replay', '--log', log, '--flag', FLAG, '--flag-config', configFile, '--json']
  const duckdbArgs = (threads: number): string[] => [duckdb, log, String(threads)]
  await writeLog(log, LINES)
  {
    const size = `${(statSync(log).size / 1e6).toFixed(0)} MB`
    // Warm-up, and the proof that both compute the same figures.
    const agreed = compare(rampartWindows(run(rampartArgs).stdout), duckdbWindows(run(duckdbArgs(2)).stdout))
    compare(rampartWindows(run(rampartArgs).stdout), duckdbWindows(run(duckdbArgs(1)).stdout))
    const rampart: Run[] = []
    const twoThreads: Run[] = []
    const oneThread: Run[] = []
    for (let round = 0; round < RUNS; round += 1) {
      rampart.push(run(rampartArgs))
      twoThreads.push(run(duckdbArgs(2)))
      oneThread.push(run(duckdbArgs(1)))
    }
    const work = `guards replay, ${LINES.toLocaleString('en')} lines (${size}), spawn to exit`
    const rampartName = '`rampart guards replay --json` (2 worker threads)'
    const bound =
      'Tried: two worker threads parse line-aligned 2 MiB segments with a byte-level reader of the guard ' +
      'fields (no decoding, no JSON.parse for ordinary lines) while one engine takes the lines in file order. ' +
      'Bounded by: the per-line work left in JavaScript (about a microsecond per line per core), the ' +
      'transfer of each segment’s lines to the engine’s thread, and on this shared machine the cores the ' +
      'other jobs take (DuckDB’s vectorised C++ reader needs less CPU per line).'
    recordFigure({
      work,
      rampart: rampartName,
      peer: 'DuckDB read_json + SQL, 2 threads',
      unit: 'ms',
      rampartValues: rampart.map((entry) => entry.ms),
      peerValues: twoThreads.map((entry) => entry.ms),
      goal: { ratio: 1.0 },
      agreed,
      ifNotMet: bound
    })
    recordFigure({
      work,
      rampart: rampartName,
      peer: 'DuckDB read_json + SQL, 1 thread',
      unit: 'ms',
      rampartValues: rampart.map((entry) => entry.ms),
      peerValues: oneThread.map((entry) => entry.ms),
      goal: { ratio: 0.7 },
      agreed,
      ifNotMet: bound
    })
    recordFigure({
      work: `guards replay, ${LINES.toLocaleString('en')} lines, peak resident memory`,
      rampart: rampartName,
      peer: 'DuckDB, 2 threads',
      unit: 'MiB',
      rampartValues: rampart.map((entry) => entry.peakMiB),
      peerValues: twoThreads.map((entry) => entry.peakMiB),
      goal: { rampartAtMost: 128 },
      agreed,
      ifNotMet:
        'The two worker threads each hold a V8 heap and a segment read ahead (2 MiB, reused); the main thread ' +
        'holds the bundle and the open windows.'
    })
    console.log(
      `  runs (ms): rampart ${rampart.map((entry) => entry.ms.toFixed(0)).join(', ')}; duckdb 2 threads ` +
        `${twoThreads.map((entry) => entry.ms.toFixed(0)).join(', ')}; duckdb 1 thread ` +
        `${oneThread.map((entry) => entry.ms.toFixed(0)).join(', ')}; ` +
        `rampart peak ${median(rampart.map((entry) => entry.peakMiB)).toFixed(1)} MiB`
    )
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }))
