// `rampart logs` against `docker logs` on a container that has written 500,000 JSON lines
// (issue 12: no slower than docker logs, peak memory at most 48 MiB). Both read the same
// container's full output to /dev/null;
// the runs alternate so that a busy moment on the machine hits both alike.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DockerEngine } from '@main/docker/docker-engine'
import { msList, report } from './bench-timing'
import { recordFigure } from './bench-results'

const LINES = 500_000
// Three by default; more (RAMPART_BENCH_RUNS) on a busy machine, where single runs vary widely.
const RUNS = Number(process.env.RAMPART_BENCH_RUNS ?? 3)
const GOAL_RATIO = 1.0
const image = process.env.RAMPART_FIXTURE_NODE_IMAGE ?? 'rampart-fixture/node:18'
const root = join(__dirname, '..')
const cli = join(root, 'bin', 'rampart.js')
const name = `rampart-bench-logs-${process.pid}`

// About 100 bytes per line, written in blocks so the container finishes in seconds.
const WRITER = `
const out = [];
for (let i = 0; i < ${LINES}; i++) {
  out.push(JSON.stringify({
    timestamp: new Date(1761998400000 + i).toISOString(), event_type: 'API_CALL', user_id: 'user-' + (i % 5000),
    status_code: i % 50 === 0 ? 500 : 200, duration_ms: i % 700
  }));
  if (out.length === 2000) { process.stdout.write(out.join('\\n') + '\\n'); out.length = 0 }
}
process.stdout.write(out.length > 0 ? out.join('\\n') + '\\n' : '');`

const peaks = new Map<string, number[]>()

/** Wall time to /dev/null; the peak resident memory (GNU time) goes to `peaks` under the command's name. */
function timeMs(command: string, args: string[]): number {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8'
  })
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6
  const match = /maxrss (\d+)/.exec(result.stderr)
  if (result.status !== 0 || match === null)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`)
  // Keyed by what ran, so `node -e 0` (the start-up reference) is not counted as a `rampart logs` run.
  const key =
    args[0] === '-e'
      ? 'node -e'
      : args.includes('--tail')
        ? 'rampart --tail 0'
        : `${command} ${args.includes('--json') ? 'json' : ''}`
  peaks.set(key, [...(peaks.get(key) ?? []), Number(match[1]) / 1024])
  return elapsed
}

/** The full output of one run, so that what is timed is known to be the same bytes. */
function output(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 })
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`)
  return result.stdout
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js')))
    throw new Error('the CLI is not built: run "npx electron-vite build" first')
  const engine = await DockerEngine.connect()
  try {
    if (!(await engine.imageExists(image)))
      throw new Error(`image ${image} is missing: run "bash scripts/test-env/up.sh"`)
    await engine.createContainer({
      name,
      image,
      env: {},
      cmd: ['node', '-e', WRITER],
      network: 'host',
      labels: { 'rampart.test': '1', 'rampart.bench': 'logs' }
    })
    await engine.startContainer(name)
    for (;;) {
      const info = await engine.inspectContainer(name)
      if (info?.state === 'exited') {
        if (info.exitCode !== 0) throw new Error(`the writer container exited ${info.exitCode}`)
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const docker = ['logs', name]
    const rampart = [cli, 'logs', name]
    // Warm-up, and the proof that both print the same thing.
    const expected = output('docker', docker)
    const actual = output(process.execPath, rampart)
    if (!expected.equals(actual))
      throw new Error(
        `rampart logs printed ${actual.length} bytes, docker logs ${expected.length}: not the same output`
      )
    const lines = expected.toString('latin1').split('\n').length - 1
    if (lines !== LINES) throw new Error(`docker logs printed ${lines} lines, not ${LINES}`)

    // --json goes through the line path (decoding, per-line objects): shown, not part of the goal.
    const rampartJson = [...rampart, '--json']
    timeMs(process.execPath, rampartJson)
    const dockerMs: number[] = []
    const rampartMs: number[] = []
    const jsonMs: number[] = []
    for (let run = 0; run < RUNS; run += 1) {
      dockerMs.push(timeMs('docker', docker))
      rampartMs.push(timeMs(process.execPath, rampart))
      jsonMs.push(timeMs(process.execPath, rampartJson))
    }
    const nodeStartMs = median([0, 1, 2].map(() => timeMs(process.execPath, ['-e', '0'])))
    const nodePeakMiB = median(peaks.get('node -e') ?? [])
    // Everything the command loads and one request to the engine, but no line: its fixed cost.
    for (let run = 0; run < 3; run += 1) timeMs(process.execPath, [...rampart, '--tail', '0'])
    const fixedPeakMiB = median(peaks.get('rampart --tail 0') ?? [])
    const streamMiB = median(peaks.get(`${process.execPath} `) ?? []) - fixedPeakMiB
    const baseline = median(dockerMs)
    const measured = median(rampartMs)
    report(
      `logs, ${LINES.toLocaleString('en')} lines, ${(expected.length / 1e6).toFixed(1)} MB ` +
        `(median of ${RUNS}, alternating)`,
      [
        { name: 'docker logs > /dev/null (baseline)', ms: baseline },
        { name: 'rampart logs > /dev/null', ms: measured, baselineMs: baseline },
        { name: 'rampart logs --json > /dev/null (line path)', ms: median(jsonMs), baselineMs: baseline },
        { name: '  of which node start-up (node -e 0)', ms: nodeStartMs, baselineMs: baseline }
      ]
    )
    console.log(`  runs: docker ${msList(dockerMs)} ms; rampart ${msList(rampartMs)} ms`)
    const ratio = measured / baseline
    console.log(`  goal ≤ ${GOAL_RATIO}×: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)`)
    const agreed =
      `yes, byte by byte: the same ${expected.length.toLocaleString('en')} bytes ` +
      `(${LINES.toLocaleString('en')} lines)`
    const megabytes = (expected.length / 1e6).toFixed(0)
    const work = `logs of a container, ${LINES.toLocaleString('en')} lines (${megabytes} MB), to /dev/null`
    recordFigure({
      work: `${work}, spawn to exit`,
      rampart: '`rampart logs CONTAINER`',
      peer: '`docker logs CONTAINER`',
      unit: 'ms',
      rampartValues: rampartMs,
      peerValues: dockerMs,
      goal: { ratio: 1.0 },
      agreed,
      ifNotMet:
        "Both stream the engine's log endpoint; Rampart also starts node and its bundle (about 0.1–0.3 s here) " +
        'and demultiplexes the frames in JavaScript.'
    })
    recordFigure({
      work: `${work}, peak resident memory`,
      rampart: '`rampart logs CONTAINER`',
      peer: '`docker logs CONTAINER`',
      unit: 'MiB',
      rampartValues: peaks.get(`${process.execPath} `) ?? [],
      peerValues: peaks.get('docker ') ?? [],
      goal: { rampartAtMost: 48 },
      agreed,
      ifNotMet:
        'Tried: `rampart logs` loads only the workspace and the Docker engine (no history file, flag sources or ' +
        'database); the frames are copied into two reused buffers and the output goes through one 64 KiB ' +
        'buffer written again only once stdout has taken it, so what waits to be written is bounded. ' +
        `Bounded by: what the command is before the first line: \`rampart logs CONTAINER --tail 0\` peaks at ` +
        `${fixedPeakMiB.toFixed(1)} MiB, of which Node itself (\`node -e 0\`) ${nodePeakMiB.toFixed(1)} MiB; the ` +
        'rest is the bundle with zod and yaml and dockerode, which now loads without gRPC and ssh2 (55 files ' +
        `instead of 203). The stream adds ${streamMiB.toFixed(1)} MiB, mostly V8’s young generation, which the HTTP ` +
        'client’s stream of small objects grows (with --max-semi-space-size=1 the run peaks about 9 MiB lower, ' +
        'but a command cannot set that flag for its own process without starting a second one). Also tried: a ' +
        'young-generation collection every 8 MiB (no change: scavenges already run that often).'
    })
  } finally {
    await engine.removeContainer(name, { force: true })
    engine.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
