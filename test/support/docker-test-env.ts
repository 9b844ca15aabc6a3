/**
 * What integration tests need from the Docker test environment (scripts/test-env/up.sh):
 * the fixture image names, a reachable engine (or a clear failure, never a skip), unique
 * container names, and clean-up of what a test created. Every container a test creates
 * carries TEST_LABELS and host networking; nothing talks to a bridge address.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { DockerEngine } from '@main/docker/docker-engine'

export const TEST_LABELS: Record<string, string> = { 'rampart.test': '1' }
const IMAGES_ENV_FILE = `${process.env.RAMPART_TEST_ENV_DIR ?? '/tmp/rampart-test-env'}/images.env`
const START_HINT = 'start the test environment: bash scripts/test-env/up.sh'

/** Names written by up.sh, overridable as up.sh's own variables are. */
function fixtureImage(
  variable: 'RAMPART_FIXTURE_NODE_IMAGE' | 'RAMPART_FIXTURE_POSTGRES_IMAGE',
  fallback: string
): string {
  const fromEnv = process.env[variable]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (existsSync(IMAGES_ENV_FILE)) {
    const line = readFileSync(IMAGES_ENV_FILE, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${variable}=`))
    if (line !== undefined) return line.slice(variable.length + 1)
  }
  return fallback
}

export const NODE_FIXTURE_IMAGE = fixtureImage('RAMPART_FIXTURE_NODE_IMAGE', 'rampart-fixture/node:18')
export const POSTGRES_FIXTURE_IMAGE = fixtureImage('RAMPART_FIXTURE_POSTGRES_IMAGE', 'rampart-fixture/postgres:15')

/** The engine the tests use (DOCKER_HOST or the default socket), failing with the way to start it. */
export async function connectTestEngine(): Promise<DockerEngine> {
  try {
    return await DockerEngine.connect()
  } catch (error) {
    throw new Error(`${(error as Error).message} — ${START_HINT}`)
  }
}

/** Fails (does not skip) when the fixture image is missing. */
export async function requireImage(engine: DockerEngine, image: string): Promise<void> {
  if (!(await engine.imageExists(image))) throw new Error(`image ${image} is missing — ${START_HINT}`)
}

/** A container name no other test run will use. */
export function uniqueContainerName(purpose: string): string {
  return `rampart-test-${purpose}-${randomBytes(4).toString('hex')}`
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
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

/** Removes the named containers (running or not); for afterAll. */
export async function removeContainers(engine: DockerEngine, names: Iterable<string>): Promise<void> {
  for (const name of names) await engine.removeContainer(name, { force: true, volumes: true })
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
