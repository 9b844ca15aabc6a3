import { describe, expect, it } from 'vitest'
import { buildMigrationSet, type Migration } from '@main/database/core/migration-files'
import { migrationStatus, type MigrationLedgerRow } from '@main/database/core/migration-status'
import { planRollback } from '@main/database/core/rollback-plan'
import type { RampartError } from '@shared/errors'

const where = { directory: '/srv/migrations', database: 'unicorn@127.0.0.1:5432/unicorn_test' }

function migrations(files: Record<string, string>): Migration[] {
  const set = buildMigrationSet(
    Object.entries(files).map(([fileName, text]) => ({ fileName, bytes: new TextEncoder().encode(text) }))
  )
  expect(set.problems).toEqual([])
  return set.migrations
}

function applied(
  set: Migration[],
  versions: number[],
  overrides: Partial<MigrationLedgerRow> = {}
): MigrationLedgerRow[] {
  return versions.map((version) => {
    const migration = set.find((m) => m.version === version)!
    return {
      version,
      name: migration.name,
      checksum: migration.checksum,
      appliedAt: '2025-11-03T09:00:00.000Z',
      appliedBy: 'tester',
      durationMs: 5,
      success: true,
      transactional: true,
      ...overrides
    }
  })
}

const three = migrations({
  '001_baseline.sql': 'CREATE TABLE a (id int);',
  '002_hub.sql': 'CREATE TABLE b (id int);',
  'rollback_hub.sql': 'DROP TABLE b;',
  '003_more.sql': 'CREATE TABLE c (id int);',
  '003_more.down.sql': 'DROP TABLE c;'
})

function refusal(action: () => unknown): RampartError {
  try {
    action()
  } catch (error) {
    return error as RampartError
  }
  throw new Error('expected a refusal')
}

describe('planRollback', () => {
  it('undoes only the newest applied migration when no version is given', () => {
    const plan = planRollback(three, migrationStatus(three, applied(three, [1, 2, 3])), undefined, where)
    expect(plan.map((step) => [step.version, step.rollback.fileName])).toEqual([[3, '003_more.down.sql']])
  })

  it('undoes every migration above the target version, newest first', () => {
    const plan = planRollback(three, migrationStatus(three, applied(three, [1, 2, 3])), 1, where)
    expect(plan.map((step) => step.version)).toEqual([3, 2])
  })

  it('refuses before anything runs when a migration in the range has no rollback file, naming it', () => {
    const error = refusal(() => planRollback(three, migrationStatus(three, applied(three, [1, 2, 3])), 0, where))
    expect(error.code).toBe('refused')
    expect(error.message).toContain(
      '/srv/migrations/001_baseline.sql has no rollback file (001_baseline.down.sql or rollback_baseline.sql)'
    )
  })

  it('ignores pending migrations: the newest applied one is undone', () => {
    const plan = planRollback(three, migrationStatus(three, applied(three, [1, 2])), undefined, where)
    expect(plan.map((step) => step.version)).toEqual([2])
  })

  it('refuses a database with nothing applied', () => {
    expect(refusal(() => planRollback(three, migrationStatus(three, null), undefined, where)).message).toMatch(
      /nothing to roll back/
    )
  })

  it('refuses a target at or above the current version as bad input', () => {
    const error = refusal(() => planRollback(three, migrationStatus(three, applied(three, [1, 2])), 2, where))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('is at version 2')
  })

  it('refuses while the history is blocked by an edited migration, pointing to repair', () => {
    const edited = applied(three, [1, 2, 3]).map((row) =>
      row.version === 2 ? { ...row, checksum: 'f'.repeat(64) } : row
    )
    const error = refusal(() => planRollback(three, migrationStatus(three, edited), undefined, where))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('rampart db repair')
  })

  it('refuses a rollback file that opts out of the transaction', () => {
    const set = migrations({
      '001_idx.sql': 'CREATE TABLE a (id int);',
      '001_idx.down.sql': '-- rampart:no-transaction\nDROP INDEX CONCURRENTLY a_idx;'
    })
    expect(
      refusal(() => planRollback(set, migrationStatus(set, applied(set, [1])), undefined, where)).message
    ).toContain('opts out of the transaction')
  })
})
