/**
 * The Docker adapter against the real engine (scripts/test-env/up.sh) and the node fixture
 * image. Containers use host networking, listen on 127.0.0.1 only, carry rampart.test=1 and
 * are removed in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerSpec } from '@main/docker/core/container-spec'
import { DockerEngine } from '@main/docker/docker-engine'
import type { LogLine } from '@shared/log-line'
import { RampartError } from '@shared/errors'
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

const LONG_LINE = `${'L'.repeat(70_000)}-end`
const UTF8_LINE = 'out-1 héllo wörld € 𝄞 日本'
const TWENTY_MIB = 20 * 1024 * 1024

let engine: DockerEngine
const created = new Set<string>()
let dir: string

function spec(purpose: string, script: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  const name = uniqueContainerName(purpose)
  created.add(name)
  return { name, image: NODE_FIXTURE_IMAGE, env: {}, cmd: ['node', '-e', script], network: 'host', labels: TEST_LABELS, ...extra }
}

async function run(purpose: string, script: string, extra: Partial<ContainerSpec> = {}): Promise<string> {
  const containerSpec = spec(purpose, script, extra)
  await engine.createContainer(containerSpec)
  await engine.startContainer(containerSpec.name)
  return containerSpec.name
}

async function exited(name: string): Promise<void> {
  await waitFor(`${name} to exit`, async () => ((await engine.inspectContainer(name))?.state === 'exited' ? true : undefined))
}

async function readAll(name: string, options: Parameters<DockerEngine['logs']>[1] = {}): Promise<LogLine[]> {
  const lines: LogLine[] = []
  for await (const batch of engine.logs(name, options)) lines.push(...batch)
  return lines
}

function texts(lines: LogLine[], stream: 'stdout' | 'stderr'): string[] {
  return lines.filter((line) => line.stream === stream).map((line) => line.text)
}

async function expectRampartError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(RampartError)
  expect((error as RampartError).code).toBe(code)
  expect((error as RampartError).message).toMatch(message)
}

// Writes known lines to both streams: multi-byte UTF-8, a line Docker stores as several
// 16 KiB partial messages, a CRLF line, and a last line without a newline.
const WRITER = `
process.stdout.write(${JSON.stringify(`${UTF8_LINE}\n`)});
process.stderr.write('err-1 ошибка\\n');
process.stdout.write(${JSON.stringify(`${LONG_LINE}\n`)});
process.stdout.write('out-3\\r\\n');
process.stderr.write('err-2\\n');
process.stdout.write('out-last-no-newline');
`
const COUNTER = `let i = 0; const t = setInterval(() => { console.log('line-' + (++i)); if (i === 10) clearInterval(t) }, 150)`
const TICKER = `let i = 0; setInterval(() => console.log('tick ' + (++i)), 100)`

let writer: string
let counter: string
let ticker: string

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  dir = mkdtempSync(join(tmpdir(), 'rampart-docker-'))
  writer = await run('writer', WRITER)
  counter = await run('counter', COUNTER)
  ticker = await run('ticker', TICKER)
  await exited(writer)
  await exited(counter)
})

afterAll(async () => {
  if (engine !== undefined) {
    await removeContainers(engine, created)
    engine.close()
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('DockerEngine.logs', () => {
  it('returns every stdout and stderr line, in order per stream, with long and multi-byte lines intact', async () => {
    const lines = await readAll(writer)
    expect(texts(lines, 'stdout')).toEqual([UTF8_LINE, LONG_LINE, 'out-3', 'out-last-no-newline'])
    expect(texts(lines, 'stderr')).toEqual(['err-1 ошибка', 'err-2'])
    expect(lines.every((line) => line.timestamp === null)).toBe(true)
  })

  it('with timestamps, gives each line its RFC 3339 time and joins the partial messages of a long line under the first one', async () => {
    const lines = await readAll(writer, { timestamps: true })
    expect(texts(lines, 'stdout')).toEqual([UTF8_LINE, LONG_LINE, 'out-3', 'out-last-no-newline'])
    for (const line of lines) expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/)
  })

  it('returns only the last N lines with tail', async () => {
    expect(texts(await readAll(counter, { tail: 3 }), 'stdout')).toEqual(['line-8', 'line-9', 'line-10'])
  })

  it('returns only lines written at or after since', async () => {
    const stamped = await readAll(counter, { timestamps: true })
    const sixth = stamped.find((line) => line.text === 'line-6')!
    // Millisecond precision, truncated: at or before line-6, 150 ms after line-5.
    const since = new Date(Date.parse(sixth.timestamp!))
    expect(texts(await readAll(counter, { since }), 'stdout')).toEqual(['line-6', 'line-7', 'line-8', 'line-9', 'line-10'])
  })

  it('follows a running container: lines written after the call arrive', async () => {
    const seen: number[] = []
    for await (const batch of engine.logs(ticker, { follow: true, tail: 1 })) {
      for (const line of batch) seen.push(Number(line.text.replace('tick ', '')))
      if (seen.length >= 6) break
    }
    expect(seen.slice(1)).toEqual([1, 2, 3, 4, 5].map((step) => seen[0]! + step))
  })

  it('closes the HTTP connection when the consumer stops iterating', async () => {
    for await (const batch of engine.logs(ticker, { follow: true })) {
      expect(batch.length).toBeGreaterThan(0)
      expect(engine.openConnections()).toBe(1)
      break
    }
    await waitFor('the log connection to close', async () => (engine.openConnections() === 0 ? true : undefined))
  })

  it('ends the iteration quietly and closes the connection when the signal is aborted', async () => {
    const controller = new AbortController()
    let batches = 0
    for await (const batch of engine.logs(ticker, { follow: true, signal: controller.signal })) {
      batches += batch.length > 0 ? 1 : 0
      controller.abort()
    }
    expect(batches).toBe(1)
    await waitFor('the log connection to close', async () => (engine.openConnections() === 0 ? true : undefined))
  })

  it('reads a TTY container’s unframed output as stdout lines', async () => {
    const tty = await run('tty', `process.stdout.write('tty-1\\ntty-2\\n'); process.stderr.write('tty-err\\n')`, { tty: true })
    await exited(tty)
    expect((await engine.inspectContainer(tty))?.tty).toBe(true)
    const lines = await readAll(tty, { timestamps: true })
    expect(lines.map((line) => [line.stream, line.text])).toEqual([
      ['stdout', 'tty-1'],
      ['stdout', 'tty-2'],
      ['stdout', 'tty-err']
    ])
    expect(lines.every((line) => line.timestamp !== null)).toBe(true)
  })

  it('fails with bad_input for a container that does not exist', async () => {
    await expectRampartError(readAll('rampart-test-no-such-container'), 'bad_input', /No container named "rampart-test-no-such-container" on the Docker engine at /)
  })
})

describe('DockerEngine.exec', () => {
  it('returns exit code 0 with stdout and stderr kept apart', async () => {
    const result = await engine.exec(ticker, ['node', '-e', `process.stdout.write('to stdout'); process.stderr.write('to stderr')`])
    expect(result).toEqual({ exitCode: 0, stdout: 'to stdout', stderr: 'to stderr', stdoutBytes: 9 })
  })

  it('returns the command’s own exit code', async () => {
    const result = await engine.exec(ticker, ['node', '-e', `console.log('partial work'); console.error('failing'); process.exit(3)`])
    expect(result).toMatchObject({ exitCode: 3, stdout: 'partial work\n', stderr: 'failing\n' })
  })

  it('passes environment variables and runs as the given user', async () => {
    const result = await engine.exec(ticker, ['node', '-e', 'console.log(process.env.GREETING, process.getuid())'], { env: { GREETING: 'hi' }, user: '1000' })
    expect(result.stdout).toBe('hi 1000\n')
  })

  it('feeds stdin from a buffer or a stream, then closes it', async () => {
    const echo = ['node', '-e', 'process.stdin.pipe(process.stdout)']
    expect((await engine.exec(ticker, echo, { stdin: Buffer.from('from a buffer\n') })).stdout).toBe('from a buffer\n')
    const chunks = Array.from({ length: 100 }, (_, index) => `chunk ${index}\n`)
    expect((await engine.exec(ticker, echo, { stdin: Readable.from(chunks) })).stdout).toBe(chunks.join(''))
  })

  it('streams 20 MiB of stdout to a Writable byte for byte', async () => {
    const script = `
      const chunk = Buffer.alloc(65536); let i = 0;
      (function write() { while (i < 320) { chunk.fill(i % 251); i++; if (!process.stdout.write(Buffer.from(chunk))) return process.stdout.once('drain', write) } })()`
    const expected = createHash('sha256')
    for (let i = 0; i < 320; i += 1) expected.update(Buffer.alloc(65536, i % 251))
    const file = join(dir, 'exec-output.bin')
    const out = createWriteStream(file)
    const result = await engine.exec(ticker, ['node', '-e', script], { stdout: out })
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '', stdoutBytes: TWENTY_MIB })
    expect(statSync(file).size).toBe(TWENTY_MIB)
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(expected.digest('hex'))
  })

  it('refuses with conflict in a container that is not running', async () => {
    await expectRampartError(engine.exec(writer, ['node', '-e', '0']), 'conflict', new RegExp(`Cannot run node in container ${writer}: .*is not running`))
  })
})

describe('DockerEngine lifecycle', () => {
  it('starts, stops (SIGKILL after the timeout) and restarts a container, each twice without error', async () => {
    // node as PID 1 ignores SIGTERM, so stop has to wait out its timeout and kill.
    const name = await run('lifecycle', 'setInterval(() => {}, 1000)')
    await engine.startContainer(name)
    const first = await engine.inspectContainer(name)
    expect(first?.state).toBe('running')

    await engine.stopContainer(name, { timeoutSeconds: 1 })
    await engine.stopContainer(name, { timeoutSeconds: 1 })
    expect(await engine.inspectContainer(name)).toMatchObject({ state: 'exited', exitCode: 137 })

    await engine.startContainer(name)
    await engine.restartContainer(name, { timeoutSeconds: 1 })
    const restarted = await engine.inspectContainer(name)
    expect(restarted?.state).toBe('running')
    expect(restarted?.startedAt).not.toBe(first?.startedAt)
  })

  it('creates a container with environment, a read-only bind mount, host networking and labels', async () => {
    const mounted = mkdtempSync(join(dir, 'mount-'))
    writeFileSync(join(mounted, 'greeting.txt'), 'hello from the host')
    const port = await freePort()
    const script = `
      const fs = require('fs');
      console.log('FOO=' + process.env.FOO);
      console.log('greeting=' + fs.readFileSync('/data/greeting.txt', 'utf8'));
      try { fs.writeFileSync('/data/written', 'x'); console.log('write=ok') } catch (error) { console.log('write=' + error.code) }
      require('http').createServer((req, res) => res.end('pong')).listen(${port}, '127.0.0.1');`
    const containerSpec = spec('create', script, {
      env: { FOO: 'bar' },
      mounts: [{ source: mounted, target: '/data', readOnly: true }],
      labels: { ...TEST_LABELS, 'rampart.purpose': 'create-test' }
    })
    await engine.createContainer(containerSpec)
    await engine.startContainer(containerSpec.name)

    const answer = await waitFor('the container to answer on 127.0.0.1', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => null)
      return response === null ? undefined : await response.text()
    })
    expect(answer).toBe('pong')
    expect(texts(await readAll(containerSpec.name), 'stdout')).toEqual(['FOO=bar', 'greeting=hello from the host', 'write=EROFS'])
    // The image's own labels are inherited; ours must all be there.
    expect((await engine.inspectContainer(containerSpec.name))?.labels).toMatchObject({ 'rampart.managed': '1', 'rampart.test': '1', 'rampart.purpose': 'create-test' })
  })

  it('reports health from the HEALTHCHECK: unhealthy, then healthy, in inspect and in the list', async () => {
    const name = await run('health', 'setInterval(() => {}, 1000)', {
      healthcheck: { test: ['CMD', 'node', '-e', `process.exit(require('fs').existsSync('/tmp/ready') ? 0 : 1)`], intervalSeconds: 1, timeoutSeconds: 10, retries: 1 }
    })
    await waitFor('unhealthy', async () => ((await engine.inspectContainer(name))?.health === 'unhealthy' ? true : undefined))
    await engine.exec(name, ['node', '-e', `require('fs').writeFileSync('/tmp/ready', '')`])
    await waitFor('healthy', async () => ((await engine.inspectContainer(name))?.health === 'healthy' ? true : undefined))
    const listed = await engine.listContainers({ label: 'rampart.test=1' })
    expect(listed.find((container) => container.name === name)).toMatchObject({ state: 'running', health: 'healthy', image: NODE_FIXTURE_IMAGE })
    expect(listed.find((container) => container.name === writer)).toMatchObject({ state: 'exited', health: null })
  })

  it('lists only containers carrying the label asked for', async () => {
    const listed = await engine.listContainers({ label: 'rampart.purpose=no-container-has-this' })
    expect(listed).toEqual([])
  })

  it('answers null, false and bad_input for a container that does not exist', async () => {
    expect(await engine.inspectContainer('rampart-test-missing')).toBeNull()
    expect(await engine.removeContainer('rampart-test-missing')).toBe(false)
    await expectRampartError(engine.startContainer('rampart-test-missing'), 'bad_input', /No container named "rampart-test-missing"/)
  })

  it('refuses a name that is not a container name before any request', async () => {
    await expectRampartError(engine.inspectContainer('../images/json'), 'bad_input', /"\.\.\/images\/json" is not a container name/)
  })

  it('refuses published ports with host networking, and names a missing image', async () => {
    await expectRampartError(
      engine.createContainer({ ...spec('ports', '0'), ports: [{ containerPort: 80, hostPort: 8080 }] }),
      'bad_input',
      /ports cannot be published with host networking/
    )
    await expectRampartError(engine.createContainer({ ...spec('noimage', '0'), image: 'rampart-test/no-such-image:1' }), 'bad_input', /No such image: rampart-test\/no-such-image:1/)
  })

  it('reports whether an image exists', async () => {
    expect(await engine.imageExists(NODE_FIXTURE_IMAGE)).toBe(true)
    expect(await engine.imageExists('rampart-test/no-such-image:1')).toBe(false)
  })

  it('fails a pull from an unreachable registry with the engine’s reason, naming the image', async () => {
    const ref = `127.0.0.1:${await freePort()}/rampart-test/nothing:1`
    const progress: unknown[] = []
    const error = await engine.pullImage(ref, (step) => progress.push(step)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RampartError)
    expect((error as RampartError).message).toContain(ref)
    expect((error as RampartError).message).toMatch(/connection refused/)
  })
})

describe('an unreachable engine', () => {
  let closedPort: number
  const servers: Server[] = []
  const sockets: Socket[] = []
  const children: ChildProcess[] = []

  beforeAll(async () => {
    closedPort = await freePort()
  })

  afterAll(() => {
    for (const server of servers) server.close()
    for (const socket of sockets) socket.destroy()
    for (const child of children) child.kill('SIGKILL')
  })

  it('fails connect on a closed TCP port with unreachable and the endpoint', { timeout: 5_000 }, async () => {
    await expectRampartError(
      DockerEngine.connect(`tcp://127.0.0.1:${closedPort}`),
      'unreachable',
      new RegExp(`^Docker engine at tcp://127\\.0\\.0\\.1:${closedPort} is not reachable \\(connection refused\\)\\. Is Docker running\\?$`)
    )
  })

  it('fails connect on a socket path that does not exist', { timeout: 5_000 }, async () => {
    const path = join(tmpdir(), 'rampart-no-such-dir', 'docker.sock')
    await expectRampartError(DockerEngine.connect(path), 'unreachable', new RegExp(`^Docker engine at unix://${path} is not reachable \\(no socket at ${path}\\)`))
  })

  it('fails every kind of call the same way', { timeout: 5_000 }, async () => {
    const gone = DockerEngine.forHost(`tcp://127.0.0.1:${closedPort}`)
    const calls: Array<Promise<unknown>> = [
      gone.listContainers(),
      gone.inspectContainer('x'),
      gone.startContainer('x'),
      gone.stopContainer('x', { timeoutSeconds: 1 }),
      gone.restartContainer('x', { timeoutSeconds: 1 }),
      gone.createContainer(spec('gone', '0')),
      gone.exec('x', ['true']),
      readAllFrom(gone, 'x'),
      gone.imageExists('node:18'),
      gone.pullImage('node:18')
    ]
    for (const call of calls) await expectRampartError(call, 'unreachable', /is not reachable \(connection refused\)/)
  })

  it('fails an ssh:// engine on a closed port the same way', { timeout: 5_000 }, async () => {
    await expectRampartError(DockerEngine.connect(`ssh://nobody@127.0.0.1:${closedPort}`), 'unreachable', /^Docker engine at ssh:\/\/nobody@127\.0\.0\.1:\d+ is not reachable \(connection refused\)/)
  })

  it('bounds the ssh handshake with a host that accepts but never speaks ssh', { timeout: 5_000 }, async () => {
    const server = createNetServer((socket) => sockets.push(socket))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const silent = DockerEngine.forHost(`ssh://nobody@127.0.0.1:${port}`)
    await expectRampartError(silent.inspectContainer('x'), 'unreachable', /is not reachable \(the ssh handshake did not finish within 2 s\)/)
    silent.close()
  })

  it('bounds a ping to an engine that accepts but never answers', { timeout: 5_000 }, async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rampart-hung-')), 'docker.sock')
    const server = createNetServer((socket) => sockets.push(socket))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(path, resolve))
    await expectRampartError(DockerEngine.connect(`unix://${path}`), 'unreachable', /is not reachable \(no answer within 2 s\)/)
  })

  it('bounds the connection itself when the engine’s listener never accepts', { timeout: 5_000 }, async () => {
    // A listener whose event loop is blocked: the kernel's accept queue (backlog 1) fills up and
    // further connection attempts hang, as with an engine host that drops packets.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () =>
           process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)))`
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    children.push(child)
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim()))))
    for (let filler = 0; filler < 4; filler += 1) {
      const socket = netConnect(port, '127.0.0.1')
      socket.on('error', () => undefined)
      sockets.push(socket)
    }
    const hung = DockerEngine.forHost(`tcp://127.0.0.1:${port}`)
    await expectRampartError(hung.inspectContainer('x'), 'unreachable', /is not reachable \(no connection within 2 s\)/)
    hung.close()
  })
})

async function readAllFrom(from: DockerEngine, name: string): Promise<void> {
  for await (const batch of from.logs(name)) void batch
}
