import { describe, expect, it } from 'vitest'
import { buildMigrationSet, type Migration } from '@main/database/core/migration-files'
import { planMigrate } from '@main/database/core/migration-plan'
import { migrationStatus, type MigrationLedgerRow } from '@main/database/core/migration-status'
import { thrownBy } from '@test/support/rampart-error'

function migrations(...files: Array<[string, string]>): Migration[] {
  const { migrations: set, problems } = buildMigrationSet(
    files.map(([fileName, text]) => ({ fileName, bytes: new TextEncoder().encode(text) }))
  )
  expect(problems).toEqual([])
  return set
}

function row(
  migration: Pick<Migration, 'version' | 'name' | 'checksum'>,
  overrides: Partial<MigrationLedgerRow> = {}
): MigrationLedgerRow {
  return {
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    appliedAt: '2025-11-03T12:00:00.000Z',
    appliedBy: 'dev',
    durationMs: 12,
    success: true,
    transactional: true,
    ...overrides
  }
}

const files = migrations(['001_baseline.sql', 'SELECT 1'], ['002_llm.sql', 'SELECT 2'], ['003_more.sql', 'SELECT 3'])
const [m1, m2, m3] = files as [Migration, Migration, Migration]

describe('migrationStatus', () => {
  it('shows every migration pending on a database with no history table', () => {
    const report = migrationStatus(files, null)
    expect(report.entries.map((entry) => entry.state)).toEqual(['pending', 'pending', 'pending'])
    expect(report).toMatchObject({ ledgerMissing: true, blocked: false, blockedReason: null, currentVersion: 0 })
  })

  it('shows applied and pending, with the current version the highest applied', () => {
    const report = migrationStatus(files, [row(m1), row(m2)])
    expect(report.entries.map((entry) => entry.state)).toEqual(['applied', 'applied', 'pending'])
    expect(report.currentVersion).toBe(2)
    expect(report.blocked).toBe(false)
  })

  it('marks an applied file whose checksum differs as changed and blocks, naming the file', () => {
    const report = migrationStatus(files, [row(m1), row(m2, { checksum: 'a'.repeat(64) })])
    expect(report.entries[1]?.state).toBe('changed')
    expect(report.blocked).toBe(true)
    expect(report.blockedReason).toContain(
      '002_llm.sql changed after it was applied on 2025-11-03T12:00:00.000Z by dev'
    )
    expect(report.blockedReason).toContain('rampart db repair')
  })

  it('marks an applied migration renamed on disk as changed', () => {
    const report = migrationStatus(files, [row(m1, { name: 'old_name' })])
    expect(report.entries[0]?.state).toBe('changed')
    expect(report.blockedReason).toContain('001_baseline.sql (applied as "old_name") was renamed')
  })

  it('marks a ledger row without its file as missing and blocks', () => {
    const report = migrationStatus([m1], [row(m1), row(m2)])
    expect(report.entries.map((entry) => [entry.version, entry.state, entry.file])).toEqual([
      [1, 'applied', '001_baseline.sql'],
      [2, 'missing', null]
    ])
    expect(report.currentVersion).toBe(2)
    expect(report.blockedReason).toContain('version 2 (llm) is in the history')
  })

  it('marks a failed row as failed, not current, and blocks', () => {
    const report = migrationStatus(files, [row(m1), row(m2, { success: false, transactional: false })])
    expect(report.entries[1]?.state).toBe('failed')
    expect(report.currentVersion).toBe(1)
    expect(report.blockedReason).toContain('002_llm.sql failed on 2025-11-03T12:00:00.000Z outside a transaction')
  })

  it('names every blocking migration in one message', () => {
    const report = migrationStatus(
      [m1, m3],
      [row(m1, { checksum: 'b'.repeat(64) }), row(m2), row(m3, { success: false })]
    )
    expect(report.entries.map((entry) => entry.state)).toEqual(['changed', 'missing', 'failed'])
    const lines = report.blockedReason!.split('\n')
    expect(lines.filter((line) => line.startsWith('  '))).toHaveLength(3)
  })
})

describe('planMigrate', () => {
  it('plans every pending migration in order', () => {
    expect(planMigrate(files, migrationStatus(files, [row(m1)])).map((migration) => migration.version)).toEqual([2, 3])
  })

  it('stops at toVersion', () => {
    expect(planMigrate(files, migrationStatus(files, null), 2).map((migration) => migration.version)).toEqual([1, 2])
  })

  it('plans nothing when up to date', () => {
    expect(planMigrate(files, migrationStatus(files, [row(m1), row(m2), row(m3)]))).toEqual([])
  })

  it('refuses a blocked history with the status reason', () => {
    const error = thrownBy(() => planMigrate(files, migrationStatus(files, [row(m1, { checksum: 'c'.repeat(64) })])))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('001_baseline.sql changed')
  })

  it('refuses a target below the current version as a rollback', () => {
    const error = thrownBy(() => planMigrate(files, migrationStatus(files, [row(m1), row(m2)]), 1))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('rampart db rollback')
  })

  it('refuses an unknown target version, listing the versions', () => {
    const error = thrownBy(() => planMigrate(files, migrationStatus(files, null), 7))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe('There is no migration version 7 (versions: 1, 2, 3)')
  })

  it('refuses a pending file numbered below an applied one', () => {
    const error = thrownBy(() => planMigrate(files, migrationStatus(files, [row(m1), row(m3)])))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('002_llm.sql is pending but numbered below version 3')
  })
})
