/**
 * Container logs against the real engine (scripts/test-env/up.sh) and the node fixture image.
 * Containers use host networking, carry rampart.test=1 and are removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { LogOptions } from '@main/docker/docker-logs'
import type { LogLine } from '@shared/log-line'
import { connectTestEngine, NODE_FIXTURE_IMAGE, requireImage, waitFor } from '@test/support/docker-test-env'
import {
  expectRampartError,
  NodeTestContainers,
  readLogLines,
  texts,
  waitForExit
} from '@test/support/node-test-containers'

const LONG_LINE = `${'L'.repeat(70_000)}-end`
const UTF8_LINE = 'out-1 héllo wörld € 𝄞 日本'

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
const COUNTER = `let i = 0;
const t = setInterval(() => { console.log('line-' + (++i)); if (i === 10) clearInterval(t) }, 150)`
const TICKER = `let i = 0; setInterval(() => console.log('tick ' + (++i)), 100)`

let engine: DockerEngine
const containers = new NodeTestContainers()
let writer: string
let counter: string
let ticker: string

function readAll(name: string, options: LogOptions = {}): Promise<LogLine[]> {
  return readLogLines(engine, name, options)
}

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  writer = await containers.run(engine, 'writer', WRITER)
  counter = await containers.run(engine, 'counter', COUNTER)
  ticker = await containers.run(engine, 'ticker', TICKER)
  await waitForExit(engine, writer)
  await waitForExit(engine, counter)
})

afterAll(async () => {
  if (engine !== undefined) {
    await containers.removeAll(engine)
    engine.close()
  }
})

describe('DockerEngine.logs', () => {
  it('returns every stdout and stderr line, in order per stream, with long and multi-byte lines intact', async () => {
    const lines = await readAll(writer)
    expect(texts(lines, 'stdout')).toEqual([UTF8_LINE, LONG_LINE, 'out-3', 'out-last-no-newline'])
    expect(texts(lines, 'stderr')).toEqual(['err-1 ошибка', 'err-2'])
    expect(lines.every((line) => line.timestamp === null)).toBe(true)
  })

  it(
    'with timestamps, gives each line its RFC 3339 time ' +
      'and joins the partial messages of a long line under the first one',
    async () => {
      const lines = await readAll(writer, { timestamps: true })
      expect(texts(lines, 'stdout')).toEqual([UTF8_LINE, LONG_LINE, 'out-3', 'out-last-no-newline'])
      for (const line of lines) expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/)
    }
  )

  it('returns only the last N lines with tail', async () => {
    expect(texts(await readAll(counter, { tail: 3 }), 'stdout')).toEqual(['line-8', 'line-9', 'line-10'])
  })

  it('returns only lines written at or after since', async () => {
    const stamped = await readAll(counter, { timestamps: true })
    const sixth = stamped.find((line) => line.text === 'line-6')!
    // Millisecond precision, truncated: at or before line-6, 150 ms after line-5.
    const since = new Date(Date.parse(sixth.timestamp!))
    expect(texts(await readAll(counter, { since }), 'stdout')).toEqual([
      'line-6',
      'line-7',
      'line-8',
      'line-9',
      'line-10'
    ])
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
    const tty = await containers.run(
      engine,
      'tty',
      `process.stdout.write('tty-1\\ntty-2\\n'); process.stderr.write('tty-err\\n')`,
      { tty: true }
    )
    await waitForExit(engine, tty)
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
    await expectRampartError(
      readAll('rampart-test-no-such-container'),
      'bad_input',
      /No container named "rampart-test-no-such-container" on the Docker engine at /
    )
  })
})
