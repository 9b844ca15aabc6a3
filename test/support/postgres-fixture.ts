/**
 * A Postgres fixture container for one test file: host networking, listening on 127.0.0.1 at a
 * free port, labelled rampart.test=1, ready when PostgresTarget gets an answer to SELECT 1.
 * Each test makes its own database in it, so tests in the file do not see each other's schema.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { DockerEngine } from '@main/docker/docker-engine'
import { PostgresTarget, quoteIdentifier } from '@main/database/postgres-target'
import {
  connectTestEngine,
  freePort,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  requireImage,
  TEST_LABELS,
  uniqueContainerName
} from './docker-test-env'

const run = promisify(execFile)

export const FIXTURE_USER = 'rampart'
export const FIXTURE_PASSWORD = 'rampart-test-password'
const READY_TIMEOUT_MS = 60_000

/**
 * The budget of a test that restarts the fixture `restarts` times (each waits until Postgres
 * answers, at most READY_TIMEOUT_MS) around work of its own (`workMs`, on a busy machine): a
 * bound from what it waits for, not the global 30 s, and never an expectation.
 */
export function postgresRestartBudget(restarts: number, workMs: number): number {
  return restarts * READY_TIMEOUT_MS + workMs
}

export interface PostgresFixture {
  engine: DockerEngine
  container: string
  port: number
  /** The maintenance database `postgres`. */
  admin: PostgresTarget
  targetFor(database: string): PostgresTarget
  /** Creates an empty database and returns a target for it. */
  createDatabase(database: string): Promise<PostgresTarget>
  /** SIGKILL, as `docker kill` does: no shutdown, no checkpoint. */
  kill(): Promise<void>
  /** Starts the (killed) container again and waits until it answers. */
  restart(): Promise<void>
  remove(): Promise<void>
}

export async function startPostgresFixture(purpose: string): Promise<PostgresFixture> {
  const engine = await connectTestEngine()
  await requireImage(engine, POSTGRES_FIXTURE_IMAGE)
  const container = uniqueContainerName(purpose)
  const port = await freePort()
  await engine.createContainer({
    name: container,
    image: POSTGRES_FIXTURE_IMAGE,
    env: {
      POSTGRES_USER: FIXTURE_USER,
      POSTGRES_PASSWORD: FIXTURE_PASSWORD,
      POSTGRES_DB: 'postgres',
      POSTGRES_LISTEN_ADDRESSES: '127.0.0.1',
      PGPORT: String(port)
    },
    // Also for the public image, whose entrypoint does not read POSTGRES_LISTEN_ADDRESSES.
    cmd: ['postgres', '-c', 'listen_addresses=127.0.0.1'],
    network: 'host',
    labels: TEST_LABELS
  })
  const targetFor = (database: string): PostgresTarget =>
    new PostgresTarget({
      host: '127.0.0.1',
      port,
      user: FIXTURE_USER,
      password: FIXTURE_PASSWORD,
      database,
      connectTimeoutMs: 3000
    })
  const admin = targetFor('postgres')
  const fixture: PostgresFixture = {
    engine,
    container,
    port,
    admin,
    targetFor,
    async createDatabase(database) {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`)
      return targetFor(database)
    },
    async kill() {
      await run('docker', ['kill', container])
    },
    async restart() {
      await engine.startContainer(container)
      await admin.waitUntilReady({ timeoutMs: READY_TIMEOUT_MS })
    },
    async remove() {
      await removeContainers(engine, [container])
      engine.close()
    }
  }
  try {
    await engine.startContainer(container)
    await admin.waitUntilReady({ timeoutMs: READY_TIMEOUT_MS })
  } catch (error) {
    await fixture.remove()
    throw error
  }
  return fixture
}
