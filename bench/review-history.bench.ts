// What a history holding 1,000,000 guard windows costs the Review page: listing the rollouts
// (`review.rollouts`) and loading one rollout with its chart (`review.rollout`, downsampled to
// the chart's points) and the first page of its window table (`review.windows`), through the
// same handlers the console calls, against the same on a fresh history, in the same run.
// Both histories hold the same rollout (made by real moves); only the windows differ.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { insertSyntheticWindows } from './synthetic-guard-windows'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { CallContext } from '@main/transport/contract-dispatch'
import { seedEnvText, SEED_ENV_FILE_SOURCE_YAML } from '@test/fixtures/service-workspace'
import { report } from './bench-timing'

const WINDOWS = 1_000_000
/** The fresh history's windows: a rollout a few minutes long. */
const FRESH_WINDOWS = 30
const WINDOW_SECONDS = 10
const FLAG = 'unified_llm_hub'
const ENVIRONMENT = 'local'
const RUNS = 7

interface Workspace {
  dir: string
  env: NodeJS.ProcessEnv
  history: string
  rolloutId: number
}

const WORKSPACE_YAML = `version: 1
default_environment: ${ENVIRONMENT}
environments:
  ${ENVIRONMENT}:
${SEED_ENV_FILE_SOURCE_YAML}`

/**
 * A workspace whose history holds one rollout: advanced from 0 % to 10 % at `start`, killed
 * after `windows` windows of WINDOW_SECONDS; the windows in between, written in one transaction
 * (one fsync, not one per window: only the file's contents matter here).
 */
async function workspace(name: string, windows: number, start: number): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), `rampart-bench-review-${name}-`))
  const home = join(dir, 'home')
  mkdirSync(home)
  writeFileSync(join(dir, '.env'), seedEnvText(0))
  writeFileSync(join(dir, 'rampart.config.yaml'), WORKSPACE_YAML)
  const env = { ...process.env, RAMPART_HOME: home, RAMPART_WORKSPACE: '', RAMPART_ACTOR: 'bench' }
  let now = start
  const context = await createAppContext({
    workspacePath: join(dir, 'rampart.config.yaml'),
    env,
    cwd: dir,
    clock: { now: () => new Date(now) }
  })
  try {
    await context.services.rollout.move({ environment: ENVIRONMENT, flag: FLAG, move: 'advance', reason: 'bench' })
    now = start + (windows + 1) * WINDOW_SECONDS * 1000
    await context.services.rollout.move({ environment: ENVIRONMENT, flag: FLAG, move: 'kill', reason: 'bench' })
  } finally {
    context.close()
  }

  const history = join(home, 'history.db')
  // Every 5,000th window breaches, so the chart has marks to keep when it downsamples.
  insertSyntheticWindows(history, {
    flag: FLAG,
    environment: ENVIRONMENT,
    start,
    count: windows,
    windowSeconds: WINDOW_SECONDS,
    breachEvery: 5000
  })

  const listed = await openedContext({ dir, env }, (opened) => opened.handlers['review.rollouts']({}, CALL))
  if (listed.length !== 1) throw new Error(`${history}: expected one rollout, found ${listed.length}`)
  return { dir, env, history, rolloutId: listed[0]!.id }
}

const CALL: CallContext = { transport: 'test' }

async function openedContext<T>(
  space: Pick<Workspace, 'dir' | 'env'>,
  body: (context: AppContext) => Promise<T>
): Promise<T> {
  const context = await createAppContext({
    workspacePath: join(space.dir, 'rampart.config.yaml'),
    env: space.env,
    cwd: space.dir
  })
  try {
    return await body(context)
  } finally {
    context.close()
  }
}

async function medianMs(body: () => Promise<unknown>): Promise<number> {
  await body()
  const times: number[] = []
  for (let run = 0; run < RUNS; run += 1) {
    const started = process.hrtime.bigint()
    await body()
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

interface Figures {
  listMs: number
  rolloutMs: number
  windowsMs: number
  windows: number
  points: number
}

async function measure(space: Workspace): Promise<Figures> {
  return openedContext(space, async (context) => {
    const detail = await context.handlers['review.rollout']({ id: space.rolloutId }, CALL)
    return {
      listMs: await medianMs(() => context.handlers['review.rollouts']({}, CALL)),
      rolloutMs: await medianMs(() => context.handlers['review.rollout']({ id: space.rolloutId }, CALL)),
      windowsMs: await medianMs(() =>
        context.handlers['review.windows']({ id: space.rolloutId, offset: 0, limit: 100 }, CALL)
      ),
      windows: detail.chart.windows,
      points: detail.chart.points.length
    }
  })
}

async function main(): Promise<void> {
  const start = Date.now() - (WINDOWS + 10) * WINDOW_SECONDS * 1000
  const generated = process.hrtime.bigint()
  const long = await workspace('long', WINDOWS, start)
  const generationS = Number(process.hrtime.bigint() - generated) / 1e9
  const fresh = await workspace('fresh', FRESH_WINDOWS, start)
  try {
    const megabytes = statSync(long.history).size / 1e6
    const base = await measure(fresh)
    const grown = await measure(long)
    if (grown.windows !== WINDOWS) throw new Error(`the long rollout's chart counts ${grown.windows} windows`)
    report(
      `Review page reads with ${WINDOWS.toLocaleString('en')} guard windows in one rollout ` +
        `(${megabytes.toFixed(0)} MB, written in ${generationS.toFixed(1)} s) against a fresh history ` +
        `(${FRESH_WINDOWS} windows); chart ${grown.points} points against ${base.points}`,
      [
        { name: 'review.rollouts (list), fresh history (baseline)', ms: base.listMs },
        { name: 'review.rollouts (list), 1M windows', ms: grown.listMs, baselineMs: base.listMs },
        { name: 'review.rollout (chart), fresh history', ms: base.rolloutMs },
        { name: 'review.rollout (chart), 1M windows', ms: grown.rolloutMs, baselineMs: base.rolloutMs },
        { name: 'review.windows (first 100), fresh history', ms: base.windowsMs },
        { name: 'review.windows (first 100), 1M windows', ms: grown.windowsMs, baselineMs: base.windowsMs }
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
