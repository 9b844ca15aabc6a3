/**
 * `rampart logs` as a user runs it (the built executable), against containers of the node
 * fixture image on the real engine.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { jsonLines, RAMPART_BIN, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import {
  connectTestEngine,
  freePort,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from '@test/support/docker-test-env'

const EVENTS = [
  '{"timestamp":"2025-11-01T12:00:00Z","event_type":"API_CALL","status_code":200,"endpoint":"/api/chat"}',
  'plain text: server listening on 8084',
  '{"timestamp":"2025-11-01T12:00:01Z","event_type":"ERROR","error_type":"Timeout","message":"upstream timed out"}',
  '{"timestamp":"2025-11-01T12:00:02Z","event_type":"API_CALL","status_code":503,"endpoint":"/api/chat"}',
  '{"timestamp":"2025-11-01T12:00:03Z","event_type":"PAGE_VIEW","user_id":"u1"}'
]

let engine: DockerEngine
let dir: string
const created = new Set<string>()
let events: string
let counter: string
let ticker: string

async function run(purpose: string, script: string): Promise<string> {
  const name = uniqueContainerName(purpose)
  created.add(name)
  await engine.createContainer({
    name,
    image: NODE_FIXTURE_IMAGE,
    env: {},
    cmd: ['node', '-e', script],
    network: 'host',
    labels: TEST_LABELS
  })
  await engine.startContainer(name)
  return name
}

async function exited(name: string): Promise<void> {
  await waitFor(`${name} to exit`, async () =>
    (await engine.inspectContainer(name))?.state === 'exited' ? true : undefined
  )
}

/**
 * The engine the tests use, and a history folder of the test's own: the person's RAMPART_WORKSPACE
 * and history never leak in.
 */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { RAMPART_HOME: join(dir, 'home') }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  return { ...env, ...extra }
}

function rampart(args: string[], env: Record<string, string> = {}): CliRun {
  return runRampart(['logs', ...args], { cwd: dir, env: cliEnv(env) })
}

function lines(text: string): string[] {
  const all = text.split('\n')
  if (all.at(-1) === '') all.pop()
  return all
}

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  dir = mkdtempSync(join(tmpdir(), 'rampart-cli-logs-'))
  events = await run(
    'events',
    `${EVENTS.map((line) => `console.log(${JSON.stringify(line)})`).join(';')}; console.error('warning: on stderr')`
  )
  counter = await run(
    'counter',
    `let i = 0; const t = setInterval(() => { console.log('line-' + (++i)); if (i === 10) clearInterval(t) }, 150)`
  )
  ticker = await run('ticker', `let i = 0; setInterval(() => console.log('tick ' + (++i)), 100)`)
  await exited(events)
  await exited(counter)
})

afterAll(async () => {
  if (engine !== undefined) {
    await removeContainers(engine, created)
    engine.close()
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('rampart logs', () => {
  it("prints the container's stdout to stdout and its stderr to stderr, as docker logs does", () => {
    const result = rampart([events])
    expect(result.status).toBe(0)
    expect(lines(result.stdout)).toEqual(EVENTS)
    expect(result.stderr).toBe('warning: on stderr\n')
  })

  it('prints the last N lines with --tail', () => {
    expect(lines(rampart([counter, '--tail', '2']).stdout)).toEqual(['line-9', 'line-10'])
  })

  it('prefixes each line with its RFC 3339 time with --timestamps, and --since keeps lines from that time on', () => {
    const stamped = lines(rampart([counter, '--timestamps']).stdout)
    expect(stamped).toHaveLength(10)
    for (const line of stamped) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z line-\d+$/)
    const eighth = stamped[7]!.split(' ')[0]!
    // Cut to milliseconds (not after line-8's own time); line-7 was written 150 ms earlier.
    const since = new Date(Date.parse(eighth)).toISOString()
    expect(lines(rampart([counter, '--since', since]).stdout)).toEqual(['line-8', 'line-9', 'line-10'])
  })

  it('keeps lines containing --grep TEXT, or matching --grep /REGEX/flags', () => {
    expect(lines(rampart([events, '--grep', 'listening']).stdout)).toEqual([EVENTS[1]])
    expect(lines(rampart([events, '--grep', '/"status_code":5\\d\\d|timed out/i']).stdout)).toEqual([
      EVENTS[2],
      EVENTS[3]
    ])
  })

  it('keeps JSON lines of the --event-type(s) given and drops the rest', () => {
    expect(lines(rampart([events, '--event-type', 'API_CALL']).stdout)).toEqual([EVENTS[0], EVENTS[3]])
    expect(lines(rampart([events, '--event-type', 'error,page_view']).stdout)).toEqual([EVENTS[2], EVENTS[4]])
  })

  it('prints one JSON object per line with --json: container, stream, timestamp, text', () => {
    const result = rampart([events, '--json', '--grep', 'warning'])
    expect(result.status).toBe(0)
    const [only, ...rest] = jsonLines(result.stdout) as Array<Record<string, unknown>>
    expect(rest).toEqual([])
    expect(Object.keys(only!)).toEqual(['container', 'stream', 'timestamp', 'text'])
    expect(only).toMatchObject({ container: events, stream: 'stderr', text: 'warning: on stderr' })
    expect(only!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/)
  })

  it('follows a running container with --follow, printing lines as they are written', async () => {
    const child = spawn(process.execPath, [RAMPART_BIN, 'logs', ticker, '--follow', '--tail', '1'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...cliEnv() },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
    try {
      const seen = await waitFor('five followed lines', async () =>
        lines(stdout).length >= 5 ? lines(stdout) : undefined
      )
      const numbers = seen.map((line) => Number(line.replace('tick ', '')))
      expect(numbers.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((step) => numbers[0]! + step))
    } finally {
      child.kill('SIGTERM')
    }
  })

  it('exits 2 naming the container when there is none by that name', () => {
    const result = rampart(['rampart-test-no-such-container'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(
      /^rampart: No container named "rampart-test-no-such-container" on the Docker engine at /
    )
  })

  it('exits 2 on a --grep that is not a valid regular expression, before connecting', () => {
    const result = rampart([events, '--grep', '/(unclosed/'], { DOCKER_HOST: 'tcp://127.0.0.1:1' })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/--grep \/\(unclosed\/ is not a valid regular expression/)
  })

  it('exits 1 with the unreachable error when DOCKER_HOST names no engine', async () => {
    const port = await freePort()
    const result = rampart([events, '--json'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` })
    expect(result.status).toBe(1)
    expect(jsonLines(result.stderr)).toEqual([
      {
        error: {
          code: 'unreachable',
          message: `Docker engine at tcp://127.0.0.1:${port} is not reachable (connection refused). Is Docker running?`,
          detail: { endpoint: `tcp://127.0.0.1:${port}` }
        }
      }
    ])
  })

  it("uses the --env environment's docker.host before DOCKER_HOST", async () => {
    const port = await freePort()
    const workspace = join(dir, 'rampart.config.yaml')
    writeFileSync(
      workspace,
      `version: 1\ndefault_environment: local\nenvironments:\n  local: {}\n  remote:\n    docker:\n      host: tcp://127.0.0.1:${port}\n`
    )
    const remote = rampart([events, '--workspace', workspace, '--env', 'remote'])
    expect(remote.status).toBe(1)
    expect(remote.stderr).toContain(`Docker engine at tcp://127.0.0.1:${port} is not reachable`)
    expect(lines(rampart([events, '--workspace', workspace, '--env', 'local', '--grep', 'PAGE_VIEW']).stdout)).toEqual([
      EVENTS[4]
    ])
  })
})
