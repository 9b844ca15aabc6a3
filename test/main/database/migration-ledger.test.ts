/**
 * The migration ledger's SQL against a real Postgres container (one per file; one database per test).
 * Needs the test environment: bash scripts/test-env/up.sh
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MigrationLedger, type NewLedgerRow } from '@main/database/migration-ledger'
import type { PostgresSession } from '@main/database/postgres-target'
import { startPostgresFixture, type PostgresFixture } from '@test/support/postgres-fixture'

let fixture: PostgresFixture
let databaseCounter = 0

beforeAll(async () => {
  fixture = await startPostgresFixture('ledger')
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
})

/** `work` on a session to a database of its own. */
async function onFreshDatabase<T>(work: (session: PostgresSession) => Promise<T>): Promise<T> {
  databaseCounter += 1
  const target = await fixture.createDatabase(`ledger_${process.pid}_${databaseCounter}`)
  return target.withSession(work)
}

const APPLIED_AT = new Date('2025-11-03T09:00:12.000Z')

function row(version: number, overrides: Partial<NewLedgerRow> = {}): NewLedgerRow {
  return {
    version,
    name: `migration_${version}`,
    checksum: String(version).repeat(64).slice(0, 64),
    appliedAt: APPLIED_AT,
    appliedBy: 'ledger-test',
    durationMs: 12.6,
    success: true,
    transactional: true,
    created: [],
    dropped: [],
    ...overrides
  }
}

describe('MigrationLedger', () => {
  it('reads null before its table exists, and creating the table again keeps the rows', async () => {
    await onFreshDatabase(async (session) => {
      const ledger = new MigrationLedger(session)
      expect(await ledger.exists()).toBe(false)
      expect(await ledger.read()).toBeNull()
      await ledger.ensure()
      expect(await ledger.read()).toEqual([])
      await ledger.record(row(2))
      await ledger.record(row(1, { success: false, transactional: false }))
      await ledger.ensure()
      expect(await ledger.read()).toEqual([
        {
          version: 1,
          name: 'migration_1',
          checksum: '1'.repeat(64),
          appliedAt: APPLIED_AT.toISOString(),
          appliedBy: 'ledger-test',
          durationMs: 13,
          success: false,
          transactional: false
        },
        expect.objectContaining({ version: 2, success: true, transactional: true })
      ])
    })
  })

  it('keeps what each migration created, realigns a row to an edited file and removes a row', async () => {
    await onFreshDatabase(async (session) => {
      const ledger = new MigrationLedger(session)
      await ledger.ensure()
      const index = { kind: 'index', schema: 'public', name: 'events_kind_idx', table: 'events' } as const
      await ledger.record(row(1, { created: [index] }))
      expect(await ledger.createdObjects(1)).toEqual([index])
      expect(await ledger.createdObjects(2)).toBeNull()

      await ledger.realign(1, 'renamed', 'f'.repeat(64), new Date('2025-11-04T10:00:00Z'), 'ops')
      expect(await ledger.read()).toEqual([
        expect.objectContaining({ version: 1, name: 'renamed', checksum: 'f'.repeat(64) })
      ])
      await ledger.remove(1)
      expect(await ledger.read()).toEqual([])
    })
  })
})
