// What a year of guard windows on file costs a rollout read and a move: `rollout status` in
// process and through the CLI, and the kill move, on a history holding 300,000 windows of the
// flag, against the same on a fresh history, in the same run.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { HistoryStore } from '@main/history/history-store'
import { createAppContext } from '@main/app/app-context'
import { seedEnvText } from '@test/fixtures/service-workspace'
import { report, runChecked } from './bench-timing'

const WINDOWS = 300_000
const FLAG = 'unified_llm_hub'
const ENVIRONMENT = 'local'
const cli = join(__dirname, '..', 'bin', 'rampart.js')

interface Workspace {
  dir: string
  env: NodeJS.ProcessEnv
}

function workspace(name: string, windows: number): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `rampart-bench-${name}-`))
  const home = join(dir, 'home')
  mkdirSync(home)
  writeFileSync(join(dir, '.env'), seedEnvText(25))
  const file = join(home, 'history.db')
  HistoryStore.open(file).close()
  // One transaction, not one fsync per window: only the file's contents matter here.
  const db = new Database(file)
  const insert = db.prepare(
    'INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at) ' +
      'VALUES (?, ?, ?, 60, ?, ?, ?)'
  )
  const figures = JSON.stringify({
    treatment: { requests: 320, failures: 3, error_rate: 0.009375, p95_ms: 165 },
    control: { requests: 480, failures: 5, error_rate: 0.0104, p95_ms: 169 }
  })
  const start = Date.parse('2025-01-01T00:00:00Z')
  db.transaction(() => {
    for (let i = 0; i < windows; i += 1) {
      const at = new Date(start + i * 60_000).toISOString()
      insert.run(FLAG, ENVIRONMENT, at, 'pass', figures, at)
    }
  })()
  db.close()
  return { dir, env: { ...process.env, RAMPART_HOME: home, RAMPART_WORKSPACE: '', RAMPART_ACTOR: 'bench' } }
}

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint()
  await body()
  return Number(process.hrtime.bigint() - started) / 1e6
}

async function medianOf(runs: number, body: () => Promise<unknown>): Promise<number> {
  await body()
  const times: number[] = []
  for (let run = 0; run < runs; run += 1) times.push(await timed(body))
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

async function measure(space: Workspace): Promise<{ statusMs: number; cliMs: number; killMs: number }> {
  const context = await createAppContext({ env: space.env, cwd: space.dir })
  try {
    const statusMs = await medianOf(5, () => context.services.rollout.status(undefined, FLAG))
    const cliTimes: number[] = []
    for (let run = 0; run < 5; run += 1)
      cliTimes.push(
        await timed(async () =>
          runChecked(process.execPath, [cli, 'rollout', 'status', '--flag', FLAG, '--json'], {
            cwd: space.dir,
            env: space.env
          })
        )
      )
    cliTimes.sort((a, b) => a - b)
    const killMs = await timed(() => context.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'bench' }))
    return { statusMs, cliMs: cliTimes[2]!, killMs }
  } finally {
    context.close()
  }
}

async function main(): Promise<void> {
  const fresh = workspace('fresh', 0)
  const long = workspace('long', WINDOWS)
  try {
    const megabytes = statSync(join(long.dir, 'home', 'history.db')).size / 1e6
    const base = await measure(fresh)
    const grown = await measure(long)
    report(
      `rollout reads and moves with ${WINDOWS.toLocaleString('en')} guard windows on file ` +
        `(${megabytes.toFixed(0)} MB) against a fresh history`,
      [
        { name: 'rollout status in process, fresh history (baseline)', ms: base.statusMs },
        { name: 'rollout status in process, long history', ms: grown.statusMs, baselineMs: base.statusMs },
        { name: 'rampart rollout status --json, fresh history', ms: base.cliMs },
        { name: 'rampart rollout status --json, long history', ms: grown.cliMs, baselineMs: base.cliMs },
        { name: 'kill move in process, fresh history', ms: base.killMs },
        { name: 'kill move in process, long history', ms: grown.killMs, baselineMs: base.killMs }
      ]
    )
  } finally {
    rmSync(fresh.dir, { recursive: true, force: true })
    rmSync(long.dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
