/**
 * PostgresTarget against a real Postgres container (one for this file).
 * Needs the test environment: bash scripts/test-env/up.sh
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { advisoryLockKey, PostgresTarget, quoteIdentifier } from '@main/database/postgres-target'
import { freePort } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'
import { rejectionOf } from '@test/support/rampart-error'

let fixture: PostgresFixture

beforeAll(async () => {
  fixture = await startPostgresFixture('pg-target')
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
})

describe('PostgresTarget', () => {
  it('is ready when a real connection answers SELECT 1, and says which server', async () => {
    const ready = await fixture.admin.waitUntilReady({ timeoutMs: 10_000 })
    expect(ready.attempts).toBe(1)
    expect(ready.serverVersion).toMatch(/^15\./)
  })

  it(
    'retries a port where nothing listens, reporting each attempt, ' + 'then fails as unreachable naming the target',
    async () => {
      const port = await freePort()
      const target = new PostgresTarget({
        host: '127.0.0.1',
        port,
        user: 'u',
        password: 'p',
        database: 'd',
        connectTimeoutMs: 500
      })
      const attempts: number[] = []
      const error = await rejectionOf(
        target.waitUntilReady({ timeoutMs: 600, onAttempt: (attempt) => attempts.push(attempt.attempt) })
      )
      expect(error.code).toBe('unreachable')
      expect(error.message).toContain(`Postgres at u@127.0.0.1:${port}/d did not answer SELECT 1`)
      expect(error.message).toContain('connection refused')
      expect(attempts.length).toBeGreaterThan(1)
    }
  )

  it('stops at once on a wrong password, never printing it', async () => {
    const target = new PostgresTarget({ ...fixture.admin.settings, password: 'wrong-password-123' })
    const attempts: number[] = []
    const error = await rejectionOf(
      target.waitUntilReady({ timeoutMs: 30_000, onAttempt: (attempt) => attempts.push(attempt.attempt) })
    )
    expect(error.code).toBe('refused')
    expect(error.message).toContain(
      `Postgres at ${FIXTURE_USER}@127.0.0.1:${fixture.port}/postgres refused the password`
    )
    expect(error.message).not.toContain('wrong-password-123')
    expect(attempts).toEqual([1])
  })

  it('names a database that does not exist', async () => {
    const error = await rejectionOf(fixture.targetFor('no_such_db').query('SELECT 1'))
    expect(error.code).toBe('unreachable')
    expect(error.message).toContain('/no_such_db does not exist')
  })

  it('quotes a hostile name as one identifier, so nothing is injected', async () => {
    const hostile = 'x"; DROP DATABASE postgres; --'
    await fixture.admin.query(`CREATE DATABASE ${quoteIdentifier(hostile)}`)
    const rows = await fixture.admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
      [[hostile, 'postgres']]
    )
    expect(rows.map((row) => row.datname)).toEqual(['postgres', hostile])
    await fixture.admin.query(`DROP DATABASE ${quoteIdentifier(hostile)}`)
  })

  it('names the session holding an advisory lock, and takes it once that session lets go', async () => {
    const key = advisoryLockKey('rampart.test.lock')
    const holder = await fixture.admin.connect({ applicationName: 'lock holder' })
    const waiter = await fixture.admin.connect({ applicationName: 'lock waiter' })
    try {
      expect(await holder.tryAdvisoryLock(key)).toBe(true)
      const refused = await waiter.acquireAdvisoryLock(key, { waitMs: 300 })
      expect(refused).toMatchObject({
        acquired: false,
        holder: { pid: holder.pid, applicationName: 'lock holder', user: FIXTURE_USER, clientAddress: '127.0.0.1' }
      })
      await holder.advisoryUnlock(key)
      expect((await waiter.acquireAdvisoryLock(key, { waitMs: 5000 })).acquired).toBe(true)
    } finally {
      await holder.close()
      await waiter.close()
    }
  })

  it('lists tables, indexes, constraints, sequences, views, functions, types and triggers in a snapshot', async () => {
    const target = await fixture.createDatabase('catalog_snapshot')
    await target.query(`
      CREATE TABLE parent (id serial PRIMARY KEY);
      CREATE TABLE child (id int REFERENCES parent (id), n int CHECK (n > 0));
      CREATE INDEX child_n_idx ON child (n);
      CREATE VIEW child_view AS SELECT * FROM child;
      CREATE TYPE mood AS ENUM ('ok', 'bad');
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER child_touch BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION touch();
    `)
    const snapshot = await target.withSession((session) => session.catalogSnapshot())
    const names = snapshot
      .map((object) => `${object.kind}:${object.table ? `${object.table}.` : ''}${object.name}`)
      .sort()
    expect(names).toEqual([
      'constraint:child.child_id_fkey',
      'constraint:child.child_n_check',
      'constraint:parent.parent_pkey',
      'function:touch',
      'index:child.child_n_idx',
      'index:parent.parent_pkey',
      'schema:public',
      'sequence:parent_id_seq',
      'table:child',
      'table:parent',
      'trigger:child.child_touch',
      'type:mood',
      'view:child_view'
    ])
  })

  it('resolves its password from the ${VAR} reference of a workspace environment', async () => {
    const target = PostgresTarget.fromEnvironment(
      'local',
      {
        container: 'unused',
        image: 'unused',
        host: '127.0.0.1',
        port: fixture.port,
        user: FIXTURE_USER,
        password: '${TEST_PG_PASSWORD}',
        database: 'postgres',
        disposable: true,
        network: 'host'
      },
      { TEST_PG_PASSWORD: FIXTURE_PASSWORD }
    )
    expect(await target.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
  })
})
