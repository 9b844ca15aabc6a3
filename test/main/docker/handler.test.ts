/**
 * The `logs.follow` stream producer against the real engine: batches go to the sink, the next
 * one waits for the sink, and the subscriber going away closes the engine connection.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { StreamSink } from '@main/transport/contract-dispatch'
import { logsFollowProducer } from '@main/docker/handler'
import { RampartError } from '@shared/errors'
import type { LogLine } from '@shared/log-line'
import {
  connectTestEngine,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from '@test/support/docker-test-env'

let engine: DockerEngine
let context: AppContext
let dir: string
let ticker: string

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  dir = mkdtempSync(join(tmpdir(), 'rampart-logs-follow-'))
  const env: NodeJS.ProcessEnv = { RAMPART_HOME: join(dir, 'home'), PATH: process.env.PATH }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  context = await createAppContext({ env, cwd: dir })
  ticker = uniqueContainerName('follow')
  await engine.createContainer({
    name: ticker,
    image: NODE_FIXTURE_IMAGE,
    env: {},
    cmd: [
      'node',
      '-e',
      `let i = 0;
      setInterval(() => console.log(JSON.stringify({ event_type: i % 2 ? 'ERROR' : 'API_CALL', n: ++i })), 50)`
    ],
    network: 'host',
    labels: TEST_LABELS
  })
  await engine.startContainer(ticker)
})

afterAll(async () => {
  context?.close()
  if (engine !== undefined) {
    await removeContainers(engine, ticker === undefined ? [] : [ticker])
    engine.close()
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function engineConnections(): number {
  return context.services.docker.forEnvironment(undefined).openConnections()
}

describe('logsFollowProducer', () => {
  it(
    'pushes filtered, timestamped batches and stops, ' + 'closing the connection, when the subscriber goes away',
    async () => {
      const abort = new AbortController()
      const received: LogLine[] = []
      const sink: StreamSink<LogLine> = {
        signal: abort.signal,
        push: async (items) => {
          received.push(...items)
          if (received.length >= 4) abort.abort()
        }
      }
      await logsFollowProducer(context.services)({ container: ticker, tail: 0, eventType: 'ERROR' }, sink)
      expect(received.length).toBeGreaterThanOrEqual(4)
      for (const line of received) {
        expect(JSON.parse(line.text)).toMatchObject({ event_type: 'ERROR' })
        expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/)
      }
      await waitFor('the engine connection to close', async () => (engineConnections() === 0 ? true : undefined))
    }
  )

  it('does not push the next batch until the sink has made room', async () => {
    const abort = new AbortController()
    let pushes = 0
    let release: () => void = () => undefined
    const sink: StreamSink<LogLine> = {
      signal: abort.signal,
      push: () => {
        pushes += 1
        return new Promise<void>((resolve) => (release = resolve))
      }
    }
    const producing = logsFollowProducer(context.services)({ container: ticker, tail: 0 }, sink)
    await waitFor('the first batch', async () => (pushes === 1 ? true : undefined))
    // The container keeps writing; wait until it has written several more lines.
    const written = async (): Promise<number> => {
      let count = 0
      for await (const batch of engine.logs(ticker)) count += batch.length
      return count
    }
    const before = await written()
    await waitFor('more lines in the container', async () => ((await written()) >= before + 5 ? true : undefined))
    expect(pushes).toBe(1)
    release()
    await waitFor('the next batch after room was made', async () => (pushes >= 2 ? true : undefined))
    abort.abort()
    release()
    await producing
    await waitFor('the engine connection to close', async () => (engineConnections() === 0 ? true : undefined))
  })

  it(
    'delivers every stdout and stderr line once, in order per stream, though Docker stamps the two ' +
      'streams apart (a stderr line can carry an earlier time than the stdout line before it)',
    async () => {
      const pairs = 3000
      const writer = uniqueContainerName('follow-both')
      await engine.createContainer({
        name: writer,
        image: NODE_FIXTURE_IMAGE,
        env: {},
        cmd: [
          'node',
          '-e',
          `for (let n = 1; n <= ${pairs}; n += 1) {
            process.stdout.write('out ' + n + '\\n')
            process.stderr.write('err ' + n + '\\n')
          }`
        ],
        network: 'host',
        labels: TEST_LABELS
      })
      try {
        await engine.startContainer(writer)
        const received: LogLine[] = []
        const sink: StreamSink<LogLine> = {
          signal: new AbortController().signal,
          // Many small batches: every batch boundary is a place where a line could be lost.
          push: async (items) => {
            received.push(...items)
            await new Promise((resolve) => setImmediate(resolve))
          }
        }
        // The follow ends by itself once the container has written everything and stopped.
        await logsFollowProducer(context.services)({ container: writer }, sink)
        for (const stream of ['stdout', 'stderr'] as const) {
          const numbers = received
            .filter((line) => line.stream === stream)
            .map((line) => Number(/^(?:out|err) (\d+)$/.exec(line.text)?.[1]))
          expect(numbers).toEqual(Array.from({ length: pairs }, (_, index) => index + 1))
        }
        expect(received.filter((line) => line.stream === 'rampart')).toEqual([])
      } finally {
        await removeContainers(engine, [writer])
      }
    }
  )

  it('fails with bad_input for a container that does not exist', async () => {
    const sink: StreamSink<LogLine> = { signal: new AbortController().signal, push: async () => undefined }
    const error = await logsFollowProducer(context.services)(
      { container: 'rampart-test-no-such-container' },
      sink
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RampartError)
    expect((error as RampartError).code).toBe('bad_input')
  })
})
