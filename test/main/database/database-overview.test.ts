/**
 * The Database page's overview against a real Postgres container: container, health, the
 * server's version, how to connect without the password, and the backups still on disk.
 */
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseBench, type DatabaseBench } from '@test/support/database-bench'
import { POSTGRES_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'

let fixture: PostgresFixture
let bench: DatabaseBench
const DATABASE = `overview_${process.pid}`

beforeAll(async () => {
  fixture = await startPostgresFixture('overview')
  await fixture.createDatabase(DATABASE)
  bench = databaseBench({
    engine: fixture.engine,
    password: FIXTURE_PASSWORD,
    environments: {
      local: {
        postgres: {
          container: fixture.container,
          image: POSTGRES_FIXTURE_IMAGE,
          host: '127.0.0.1',
          port: fixture.port,
          user: FIXTURE_USER,
          database: DATABASE,
          network: 'host',
          disposable: true
        }
      }
    }
  })
}, 120_000)

afterAll(async () => {
  bench?.close()
  await fixture?.remove()
})

describe('DatabaseService.overview', () => {
  it('shows the container, the server version and the connection string, never the password', async () => {
    const overview = await bench.service.overview({})
    expect(overview).toMatchObject({
      environment: 'local',
      container: fixture.container,
      containerState: 'running',
      disposable: true,
      protected: false,
      connectionString: `postgresql://${FIXTURE_USER}@127.0.0.1:${fixture.port}/${DATABASE}`,
      password: 'password from ${RAMPART_TEST_PG_PASSWORD}',
      backups: [],
      problems: []
    })
    expect(overview.serverVersion).toMatch(/^15\./)
    expect(JSON.stringify(overview)).not.toContain(FIXTURE_PASSWORD)
  })

  it('lists a backup while its file is on disk, and no longer once it is gone', async () => {
    const backup = await bench.service.backup({ reason: 'before the test' })
    const listed = (await bench.service.overview({})).backups
    expect(listed).toEqual([expect.objectContaining({ file: backup.file, sha256: backup.sha256, bytes: backup.bytes })])
    rmSync(backup.file)
    expect((await bench.service.overview({})).backups).toEqual([])
  })

  it('says what it could not reach instead of failing: a stopped server has no version', async () => {
    await fixture.kill()
    try {
      const overview = await bench.service.overview({})
      expect(overview.containerState).toBe('exited')
      expect(overview.serverVersion).toBeNull()
      expect(overview.problems).toHaveLength(1)
    } finally {
      await fixture.restart()
    }
  }, 90_000)
})
