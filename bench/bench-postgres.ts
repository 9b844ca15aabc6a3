// The Postgres server a database bench measures against: the fixture image, host networking on a
// free 127.0.0.1 port, labelled so the test environment's clean-up finds it.
import type { DockerEngine } from '@main/docker/docker-engine'
import { PostgresTarget } from '@main/database/postgres-target'
import { freePort } from '@test/support/docker-test-env'

export async function startBenchPostgres(
  engine: DockerEngine,
  server: { name: string; image: string; user: string; password: string; bench: string }
): Promise<{ port: number; admin: PostgresTarget }> {
  if (!(await engine.imageExists(server.image)))
    throw new Error(`image ${server.image} is missing: run "bash scripts/test-env/up.sh"`)
  const port = await freePort()
  await engine.createContainer({
    name: server.name,
    image: server.image,
    env: {
      POSTGRES_USER: server.user,
      POSTGRES_PASSWORD: server.password,
      POSTGRES_DB: 'postgres',
      PGPORT: String(port),
      POSTGRES_LISTEN_ADDRESSES: '127.0.0.1'
    },
    cmd: ['postgres', '-c', 'listen_addresses=127.0.0.1'],
    network: 'host',
    labels: { 'rampart.test': '1', 'rampart.bench': server.bench }
  })
  await engine.startContainer(server.name)
  const admin = new PostgresTarget({
    host: '127.0.0.1',
    port,
    user: server.user,
    password: server.password,
    database: 'postgres'
  })
  await admin.waitUntilReady({ timeoutMs: 90_000 })
  return { port, admin }
}

/**
 * The workspace environment `bench` both database benches give Rampart: the bench's container,
 * its database `bench_rampart`, the password from BENCH_PG_PASSWORD and the sample migrations.
 */
export function benchEnvironments(server: {
  name: string
  image: string
  port: number
  user: string
  migrations: string
}): Record<string, unknown> {
  return {
    bench: {
      postgres: {
        container: server.name,
        image: server.image,
        host: '127.0.0.1',
        port: server.port,
        user: server.user,
        password: '${BENCH_PG_PASSWORD}',
        database: 'bench_rampart',
        disposable: true,
        network: 'host'
      },
      migrations: server.migrations
    }
  }
}
