/**
 * Following a container's log across a restart, against the real engine: a small Node process
 * in the fixture image (host networking, no ports) that prints a numbered JSON line every 20 ms
 * with an id of its own run, labelled rampart.test=1 and removed afterwards.
 */
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { DEFAULT_WORKSPACE_CONFIG, toWorkspace } from '@main/workspace/core/workspace-schema'
import { systemClock } from '@main/platform/clock'
import { DockerEngines } from '@main/docker/docker-engines'
import { LogService } from '@main/docker/log-service'
import { restartFollowingLineSource } from '@main/guards/restart-following-line-source'
import {
  connectTestEngine,
  NODE_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName
} from '@test/support/docker-test-env'

const PRINTER =
  'const run = Math.random().toString(36).slice(2); let n = 0; ' +
  'setInterval(() => console.log(JSON.stringify({ run, n: n++ })), 20); process.on("SIGTERM", () => process.exit(0))'

let engine: DockerEngine
let engines: DockerEngines
let logs: LogService
const names: string[] = []

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
  engines = new DockerEngines(toWorkspace(DEFAULT_WORKSPACE_CONFIG, null, os.tmpdir()), process.env)
  logs = new LogService(engines, systemClock)
})

afterAll(async () => {
  await removeContainers(engine, names)
  engines.close()
  engine.close()
})

async function printer(): Promise<string> {
  const name = uniqueContainerName('refollow')
  names.push(name)
  await engine.createContainer({
    name,
    image: NODE_FIXTURE_IMAGE,
    env: {},
    cmd: ['node', '-e', PRINTER],
    network: 'host',
    labels: TEST_LABELS
  })
  await engine.startContainer(name)
  return name
}

describe('restartFollowingLineSource', () => {
  it("follows a restarted container's log from its new start, without the old run's lines again", async () => {
    const name = await printer()
    const refollows: string[] = []
    const source = restartFollowingLineSource(
      { logs, engine },
      { container: name, onRefollow: (notice) => refollows.push(notice.startedAt) }
    )
    const stop = new AbortController()
    const seen: Array<{ run: string; n: number }> = []
    let restarted = false
    for await (const batch of source(stop.signal)) {
      for (const line of batch) seen.push(JSON.parse(line.text) as { run: string; n: number })
      const runs = [...new Set(seen.map((entry) => entry.run))]
      if (!restarted && seen.length >= 10) {
        restarted = true
        void engine.restartContainer(name, { timeoutSeconds: 5 })
      }
      if (runs.length === 2 && seen.filter((entry) => entry.run === runs[1]).length >= 10) stop.abort()
    }
    const runs = [...new Set(seen.map((entry) => entry.run))]
    expect(runs).toHaveLength(2)
    expect(refollows).toHaveLength(1)
    for (const run of runs) {
      const numbers = seen.filter((entry) => entry.run === run).map((entry) => entry.n)
      // Each run's lines once each, in order; the second run's from its very first line.
      expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index))
    }
    expect(seen.find((entry) => entry.run === runs[1])!.n).toBe(0)
  })

  it('ends when the container stays stopped longer than the restart wait', async () => {
    const name = await printer()
    const source = restartFollowingLineSource({ logs, engine }, { container: name, restartWaitMs: 500 })
    let lines = 0
    for await (const batch of source(new AbortController().signal)) {
      lines += batch.length
      if (lines >= 5) void engine.stopContainer(name, { timeoutSeconds: 5 })
    }
    expect((await engine.inspectContainer(name))?.state).toBe('exited')
  })
})
