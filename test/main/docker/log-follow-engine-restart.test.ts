/**
 * `rampart logs --follow --json` (the built CLI, over the same LogService.follow as the
 * console's `logs.follow` stream) while its Docker engine is stopped and started again. The
 * engine is a private dockerd of this test (test/support/private-dockerd.ts), never the shared
 * one; its container prints numbered lines and survives the stop (--live-restore). The follower
 * must be told when the stream was lost and when the engine is back, then go on, with every
 * numbered line exactly once and in order.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RAMPART_BIN, requireBuiltCli } from '@test/fixtures/rampart-cli'
import { NODE_FIXTURE_IMAGE, uniqueContainerName, waitFor } from '@test/support/docker-test-env'
import { startPrivateDockerd, type PrivateDockerd } from '@test/support/private-dockerd'

interface Printed {
  stream: 'stdout' | 'stderr' | 'rampart'
  timestamp: string | null
  text: string
}

const CONTAINER = uniqueContainerName('ticker')
/** The engine's stop and start, then the follower's poll (500 ms) and a few lines on each side. */
const SCENARIO_BUDGET_MS = 150_000
const LINES_EACH_SIDE = 5

let dockerd: PrivateDockerd | undefined
let follower: ChildProcess | undefined
let home: string

beforeAll(async () => {
  requireBuiltCli()
  home = mkdtempSync(path.join(os.tmpdir(), 'rampart-engine-restart-'))
  dockerd = await startPrivateDockerd()
  await dockerd.loadImage(NODE_FIXTURE_IMAGE)
  await dockerd.docker([
    'run',
    '--detach',
    '--name',
    CONTAINER,
    '--network',
    'host',
    '--label',
    'rampart.test=1',
    NODE_FIXTURE_IMAGE,
    'node',
    '-e',
    "let n = 0; setInterval(() => console.log('line ' + ++n), 100)"
  ])
}, 180_000)

afterAll(async () => {
  if (follower !== undefined && follower.exitCode === null) follower.kill('SIGKILL')
  await dockerd?.remove()
  if (home !== undefined) rmSync(home, { recursive: true, force: true })
}, 120_000)

function numberOf(line: Printed): number {
  return Number(/^line (\d+)$/.exec(line.text)?.[1])
}

describe('a followed log while the Docker engine restarts', () => {
  it(
    'reports the gap (lost, then back after how long) and goes on with every line once, in order',
    async () => {
      const printed: Printed[] = []
      follower = spawn(process.execPath, [RAMPART_BIN, 'logs', CONTAINER, '--follow', '--json'], {
        cwd: home,
        env: { PATH: process.env.PATH ?? '', RAMPART_HOME: home, DOCKER_HOST: dockerd!.host },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stderr = ''
      follower.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      createInterface({ input: follower.stdout! }).on('line', (line) => printed.push(JSON.parse(line) as Printed))
      const until = (what: string, check: () => boolean, timeoutMs = 30_000): Promise<true> =>
        waitFor(
          what,
          async () => {
            if (follower!.exitCode !== null)
              throw new Error(`rampart logs exited with ${follower!.exitCode}: ${stderr}`)
            return check() ? true : undefined
          },
          timeoutMs
        )
      const notices = (): Printed[] => printed.filter((line) => line.stream === 'rampart')

      await until(`${LINES_EACH_SIDE} lines before the engine stops`, () => printed.length >= LINES_EACH_SIDE)
      await dockerd!.stop()
      await until('the follower to be told the stream was lost', () => notices().length >= 1)
      const shownBeforeStart = printed.length
      await dockerd!.start()
      await until(
        'the follower to be told the engine is back, then more lines',
        () =>
          notices().some((line) => line.text.includes('answers again')) &&
          printed.filter((line) => line.stream === 'stdout').length >= shownBeforeStart + LINES_EACH_SIDE
      )

      expect(notices()[0]!.text).toMatch(
        new RegExp(`^log stream of ${CONTAINER} lost at \\S+: .*waiting for the engine$`)
      )
      const back = notices().find((line) => line.text.includes('answers again'))!
      expect(back.text).toContain(`the Docker engine at ${dockerd!.host} answers again after a gap of`)
      expect(back.text).toContain(`following ${CONTAINER} again from its last line shown`)
      // Lost, then back: nothing but lines after that.
      expect(printed.indexOf(back)).toBeGreaterThan(printed.indexOf(notices()[0]!))
      const numbers = printed.filter((line) => line.stream === 'stdout').map(numberOf)
      expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index))
      expect(stderr).toBe('')
    },
    SCENARIO_BUDGET_MS
  )
})
