/**
 * Commands run in containers (exec) against the real engine (scripts/test-env/up.sh) and the node
 * fixture image. Containers use host networking, carry rampart.test=1 and are removed in afterAll.
 */
import { createHash } from 'node:crypto'
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { connectTestEngine, NODE_FIXTURE_IMAGE, requireImage } from '@test/support/docker-test-env'
import { expectRampartError, NodeTestContainers, waitForExit } from '@test/support/node-test-containers'

const TWENTY_MIB = 20 * 1024 * 1024
const TICKER = `let i = 0; setInterval(() => console.log('tick ' + (++i)), 100)`

let engine: DockerEngine
const containers = new NodeTestContainers()
let dir: string
let ticker: string
let stopped: string

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  dir = mkdtempSync(join(tmpdir(), 'rampart-docker-exec-'))
  ticker = await containers.run(engine, 'ticker', TICKER)
  stopped = await containers.run(engine, 'stopped', `console.log('done')`)
  await waitForExit(engine, stopped)
})

afterAll(async () => {
  if (engine !== undefined) {
    await containers.removeAll(engine)
    engine.close()
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('DockerEngine.exec', () => {
  it('returns exit code 0 with stdout and stderr kept apart', async () => {
    const result = await engine.exec(ticker, [
      'node',
      '-e',
      `process.stdout.write('to stdout'); process.stderr.write('to stderr')`
    ])
    expect(result).toEqual({ exitCode: 0, stdout: 'to stdout', stderr: 'to stderr', stdoutBytes: 9 })
  })

  it('returns the command’s own exit code', async () => {
    const result = await engine.exec(ticker, [
      'node',
      '-e',
      `console.log('partial work'); console.error('failing'); process.exit(3)`
    ])
    expect(result).toMatchObject({ exitCode: 3, stdout: 'partial work\n', stderr: 'failing\n' })
  })

  it('passes environment variables and runs as the given user', async () => {
    const result = await engine.exec(ticker, ['node', '-e', 'console.log(process.env.GREETING, process.getuid())'], {
      env: { GREETING: 'hi' },
      user: '1000'
    })
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
      (function write() {
        while (i < 320) {
          chunk.fill(i % 251); i++;
          if (!process.stdout.write(Buffer.from(chunk))) return process.stdout.once('drain', write)
        }
      })()`
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

  it('fails naming the error when its stdout Writable fails (a full disk) between two waits for drain', async () => {
    // Room for every chunk (no drain wait), then each write fails: the error comes while exec is not waiting.
    const full = new Writable({
      highWaterMark: 64 * 1024 * 1024,
      write(_chunk, _encoding, callback) {
        setImmediate(() =>
          callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
        )
      }
    })
    await expectRampartError(
      engine.exec(ticker, ['node', '-e', `process.stdout.write(Buffer.alloc(4 * 1024 * 1024))`], { stdout: full }),
      'failed',
      /its output could not be written: ENOSPC: no space left on device/
    )
  })

  it('refuses with conflict in a container that is not running', async () => {
    await expectRampartError(
      engine.exec(stopped, ['node', '-e', '0']),
      'conflict',
      new RegExp(`Cannot run node in container ${stopped}: .*is not running`)
    )
  })
})
