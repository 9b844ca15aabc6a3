/**
 * What the Docker adapter's tests share: containers that run `node -e SCRIPT` from the node
 * fixture image (host networking, TEST_LABELS), removed together in afterAll, and the checks
 * on their output and on RampartErrors.
 */
import { expect } from 'vitest'
import type { ContainerSpec } from '@main/docker/core/container-spec'
import type { DockerEngine } from '@main/docker/docker-engine'
import type { LogOptions } from '@main/docker/docker-logs'
import { RampartError } from '@shared/errors'
import type { LogLine } from '@shared/log-line'
import {
  NODE_FIXTURE_IMAGE,
  removeContainers,
  TEST_LABELS,
  uniqueContainerName,
  waitFor
} from '@test/support/docker-test-env'

/** The containers one test file makes; each spec is remembered so removeAll takes it away. */
export class NodeTestContainers {
  private readonly names = new Set<string>()

  spec(purpose: string, script: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
    const name = uniqueContainerName(purpose)
    this.names.add(name)
    return {
      name,
      image: NODE_FIXTURE_IMAGE,
      env: {},
      cmd: ['node', '-e', script],
      network: 'host',
      labels: TEST_LABELS,
      ...extra
    }
  }

  /** Creates and starts the container; returns its name. */
  async run(
    engine: DockerEngine,
    purpose: string,
    script: string,
    extra: Partial<ContainerSpec> = {}
  ): Promise<string> {
    const containerSpec = this.spec(purpose, script, extra)
    await engine.createContainer(containerSpec)
    await engine.startContainer(containerSpec.name)
    return containerSpec.name
  }

  async removeAll(engine: DockerEngine): Promise<void> {
    await removeContainers(engine, this.names)
  }
}

export async function waitForExit(engine: DockerEngine, name: string): Promise<void> {
  await waitFor(`${name} to exit`, async () =>
    (await engine.inspectContainer(name))?.state === 'exited' ? true : undefined
  )
}

/** Every batch of the container's logs, flattened. */
export async function readLogLines(engine: DockerEngine, name: string, options: LogOptions = {}): Promise<LogLine[]> {
  const lines: LogLine[] = []
  for await (const batch of engine.logs(name, options)) lines.push(...batch)
  return lines
}

/** The texts of the lines from one stream, in order. */
export function texts(lines: LogLine[], stream: 'stdout' | 'stderr'): string[] {
  return lines.filter((line) => line.stream === stream).map((line) => line.text)
}

export async function expectRampartError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(RampartError)
  expect((error as RampartError).code).toBe(code)
  expect((error as RampartError).message).toMatch(message)
}
