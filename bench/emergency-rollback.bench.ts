// Emergency rollback time-to-safe against the seed's manual procedure scripted in the same run
// with the docker CLI and curl: edit the env file with sed, `docker restart`, poll
// `curl -fsS …/health` every 50 ms until it answers. Rampart is measured two ways:
//  - the BUILT CLI `rampart rollback`, from spawn to exit, as the on-call types it: the figure the
//    goal is judged on (docs/benchmarks.md);
//  - the service in-process (EmergencyRollback.run, as the console runs it: from the call to its
//    return, so the intent and run records, the verify URL, the 50 log lines and the
//    verified-safe record are all inside the figure), printed beside it to show what the CLI's
//    start-up (Node, the bundle and dockerode, the workspace and history file) adds.
// All on the same demo service container (the demo ops-center service in the Node fixture image,
// host networking on 127.0.0.1). Median of 3 each after a warm-up each, alternating.
// Goal: no slower than 1.2x the manual procedure, and under 10 s.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DockerEngine } from '@main/docker/docker-engine'
import { locateDemoResources } from '@main/demo/demo-resources'
import { probeHttp } from '@main/platform/http-probe'
import { createAppContext } from '@main/app/app-context'
import { msList, report } from './bench-timing'
import { recordFigure } from './bench-results'

const RUNS = 3
const root = join(__dirname, '..')
const name = `rampart-bench-kill-${process.pid}`
const RAMPART_BIN = join(root, 'bin', 'rampart.js')
const ENABLED_LINE = 'FEATURE_UNIFIED_LLM_HUB=true'

function fixtureImage(): string {
  if (process.env.RAMPART_FIXTURE_NODE_IMAGE) return process.env.RAMPART_FIXTURE_NODE_IMAGE
  const file = `${process.env.RAMPART_TEST_ENV_DIR ?? '/tmp/rampart-test-env'}/images.env`
  const line = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .find((entry) => entry.startsWith('RAMPART_FIXTURE_NODE_IMAGE='))
    : undefined
  return line?.slice('RAMPART_FIXTURE_NODE_IMAGE='.length) ?? 'rampart-fixture/node:18'
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))
      )
    })
  })
}

function envText(): string {
  return readFileSync(join(root, 'resources', 'demo', 'ops-center.env'), 'utf8')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while ((await probeHttp(url, { timeoutMs: 1000 })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 30 s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'out', 'main', 'cli.js')))
    throw new Error('the CLI is not built: run "npm run build" (npm run bench builds first)')
  const image = fixtureImage()
  const engine = await DockerEngine.connect()
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-kill-'))
  const envFile = join(dir, '.env')
  try {
    if (!(await engine.imageExists(image)))
      throw new Error(`image ${image} is missing: run "bash scripts/test-env/up.sh"`)
    if (!envText().includes(`\n${ENABLED_LINE}\n`))
      throw new Error(`resources/demo/ops-center.env has no line ${ENABLED_LINE}`)
    writeFileSync(envFile, envText())
    const port = await freePort()
    const health = `http://127.0.0.1:${port}/health`
    await engine.createContainer({
      name,
      image,
      env: {
        DEMO_ENV_FILE: '/config/.env',
        DEMO_ENV_FILE_ORIGIN: envFile,
        DEMO_HOST: '127.0.0.1',
        DEMO_PORT: String(port),
        DEMO_RPS: '20'
      },
      cmd: ['node', '/app/server.js'],
      mounts: [
        { source: join(root, 'resources', 'demo', 'ops-center'), target: '/app', readOnly: true },
        // Its one package (prom-client), from the project's own, as demo up mounts it.
        { source: locateDemoResources(root).nodeModulesDir, target: '/node_modules', readOnly: true },
        // The folder, not the file: both sed -i and Rampart replace the file by rename.
        { source: dir, target: '/config', readOnly: true }
      ],
      network: 'host',
      labels: { 'rampart.test': '1', 'rampart.bench': 'emergency-rollback' }
    })
    await engine.startContainer(name)
    await waitHealthy(health)
    writeFileSync(
      join(dir, 'rampart.config.yaml'),
      [
        'environments:',
        '  bench:',
        '    service:',
        `      container: ${name}`,
        `      health_url: ${health}`,
        `      verify_urls: [http://127.0.0.1:${port}/admin/llm-provider-keys]`,
        '    flag_source:',
        '      kind: env-file',
        `      path: ${envFile}`,
        '    flags: [unified_llm_hub]',
        ''
      ].join('\n')
    )
    const cliEnv = {
      PATH: process.env.PATH ?? '',
      RAMPART_HOME: join(dir, 'home'),
      RAMPART_ACTOR: 'bench',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {})
    }

    /** Puts the flag back on and lets the service settle, outside the timed part. */
    const reset = async (): Promise<void> => {
      writeFileSync(envFile, envText())
      await engine.restartContainer(name, { timeoutSeconds: 5 })
      await waitHealthy(health)
    }

    const rampart = (): { wallMs: number; timeToSafeMs: number } => {
      const started = process.hrtime.bigint()
      const run = spawnSync(
        process.execPath,
        [RAMPART_BIN, 'rollback', '--flag', 'unified_llm_hub', '--reason', 'bench', '--json'],
        { cwd: dir, env: cliEnv, encoding: 'utf8' }
      )
      const wallMs = elapsedMs(started)
      if (run.status !== 0) throw new Error(`rampart rollback exited ${run.status}: ${run.stderr}`)
      const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { result: { timeToSafeMs: number } }
      if (readFileSync(envFile, 'utf8').includes(ENABLED_LINE))
        throw new Error('rampart rollback left the flag enabled')
      return { wallMs, timeToSafeMs: last.result.timeToSafeMs }
    }

    const manualScript = [
      `sed -i 's/^${ENABLED_LINE}$/FEATURE_UNIFIED_LLM_HUB=false/' "$1"`,
      'docker restart "$2" >/dev/null',
      'until curl -fsS "$3" >/dev/null 2>&1; do sleep 0.05; done'
    ].join('\n')
    const manual = (): number => {
      const started = process.hrtime.bigint()
      const run = spawnSync('bash', ['-c', manualScript, 'manual', envFile, name, health], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8'
      })
      const wallMs = elapsedMs(started)
      if (run.status !== 0) throw new Error(`the manual procedure exited ${run.status}: ${run.stderr}`)
      if (readFileSync(envFile, 'utf8').includes(ENABLED_LINE))
        throw new Error('the manual procedure left the flag enabled')
      return wallMs
    }

    const app = await createAppContext({
      workspacePath: join(dir, 'rampart.config.yaml'),
      env: { ...cliEnv, RAMPART_HOME: join(dir, 'home-in-process') },
      cwd: dir
    })
    const inProcess = async (): Promise<{ wallMs: number; timeToSafeMs: number }> => {
      const started = process.hrtime.bigint()
      const { result } = await app.services.emergencyRollback.run({ flag: 'unified_llm_hub', reason: 'bench' })
      const wallMs = elapsedMs(started)
      if (readFileSync(envFile, 'utf8').includes(ENABLED_LINE))
        throw new Error('the emergency rollback left the flag enabled')
      return { wallMs, timeToSafeMs: result.timeToSafeMs }
    }

    try {
      // Warm-up of each (page cache, JIT, first docker CLI start), then alternate.
      for (const warmUp of [manual, rampart, inProcess]) {
        await reset()
        await warmUp()
      }
      const manualRuns: number[] = []
      const cliRuns: Array<{ wallMs: number; timeToSafeMs: number }> = []
      const serviceRuns: Array<{ wallMs: number; timeToSafeMs: number }> = []
      for (let run = 0; run < RUNS; run++) {
        await reset()
        manualRuns.push(manual())
        await reset()
        serviceRuns.push(await inProcess())
        await reset()
        cliRuns.push(rampart())
      }

      const manualMs = median(manualRuns)
      const serviceMs = median(serviceRuns.map((run) => run.wallMs))
      const cliMs = median(cliRuns.map((run) => run.wallMs))
      report(`Emergency rollback, median of ${RUNS} (the demo service in ${image}, host networking)`, [
        { name: 'manual: sed + docker restart + curl /health poll', ms: manualMs },
        { name: 'rampart, service in-process (call to return)', ms: serviceMs, baselineMs: manualMs },
        {
          name: '  of which recorded intent-to-verified-safe',
          ms: median(serviceRuns.map((run) => run.timeToSafeMs)),
          baselineMs: manualMs
        },
        { name: 'rampart rollback, built CLI (spawn to exit)', ms: cliMs, baselineMs: manualMs },
        {
          name: '  of which recorded intent-to-verified-safe',
          ms: median(cliRuns.map((run) => run.timeToSafeMs)),
          baselineMs: manualMs
        }
      ])
      const runs = (list: Array<{ wallMs: number; timeToSafeMs: number }>): string =>
        list.map((run) => `${run.wallMs.toFixed(0)} (${run.timeToSafeMs})`).join(', ')
      console.log(`  runs, ms: manual ${msList(manualRuns)}; in-process ${runs(serviceRuns)}; CLI ${runs(cliRuns)}`)
      recordFigure({
        work: 'emergency rollback of the demo service, spawn to verified safe',
        rampart: '`rampart rollback --flag F` (built CLI, spawn to exit)',
        peer: 'manual: sed + docker restart + curl /health every 50 ms',
        unit: 'ms',
        rampartValues: cliRuns.map((entry) => entry.wallMs),
        peerValues: manualRuns,
        goal: { ratio: 1.2 },
        agreed: 'yes: both leave the flag off in the env file and the service answering /health (checked each run)',
        ifNotMet:
          'Tried: the kill path loads Docker’s client only once the intent is recorded, and dockerode without ' +
          'the gRPC and ssh2 stacks it requires at load (55 files instead of 203); the flag commands load none of ' +
          'it; pg is loaded only when a command reaches Postgres, which the kill never does; the restart is one ' +
          'engine call, the verification polls /health. The same rollback in a process ' +
          `already running takes ${serviceMs.toFixed(0)} ms (${(serviceMs / manualMs).toFixed(2)}× the manual ` +
          'procedure), and the CLI’s own intent-to-verified-safe is ' +
          `${median(cliRuns.map((run) => run.timeToSafeMs)).toFixed(0)} ms. Bounded by: the CLI’s start before its ` +
          'intent is recorded (node, the bundle, the workspace, the history file) and the JavaScript it loads ' +
          'after, which the docker CLI, a compiled binary, does not pay.'
      })
      const ratio = cliMs / manualMs
      console.log(
        `  goal (the CLI, spawn to exit): ratio <= 1.2 and under 10 s — ` +
          `${ratio <= 1.2 && cliMs < 10_000 ? 'met' : 'NOT met'} ` +
          `(ratio ${ratio.toFixed(2)}x, ${(cliMs / 1000).toFixed(2)} s); ` +
          'of which the CLI’s start-up (Node, bundle, dockerode, workspace, history file): ' +
          `${(cliMs - serviceMs).toFixed(0)} ms beyond the service in-process`
      )
    } finally {
      app.close()
    }
  } finally {
    await engine.removeContainer(name, { force: true }).catch(() => undefined)
    engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
