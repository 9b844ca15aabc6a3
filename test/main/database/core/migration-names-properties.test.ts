/**
 * Migration folders with generated names: versions that collide, numbers that are skipped (and a
 * gap filled in later), rollbacks that are missing or point at nothing, and names that are no
 * migration at all. Each comes out as a clear error naming the file, never as a throw from deep
 * inside or a silently wrong order.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildMigrationSet, requireMigrationSet, type MigrationSourceFile } from '@main/database/core/migration-files'
import { migrationStatus, type MigrationLedgerRow } from '@main/database/core/migration-status'
import { planMigrate } from '@main/database/core/migration-plan'
import { planRollback } from '@main/database/core/rollback-plan'
import { thrownBy } from '@test/support/rampart-error'

const DIRECTORY = '/srv/ops-center/migrations'

function file(fileName: string, text = 'SELECT 1;'): MigrationSourceFile {
  return { fileName, bytes: new TextEncoder().encode(text) }
}

const migrationName = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/)
/** Distinct versions, each written with its own zero padding. */
const versions = fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 12 })
const padding = fc.integer({ min: 0, max: 4 })
const spelled = (version: number, zeros: number): string => `${'0'.repeat(zeros)}${version}`

const folder = fc
  .tuple(
    versions,
    fc.array(padding, { minLength: 12, maxLength: 12 }),
    fc.uniqueArray(migrationName, { minLength: 12, maxLength: 12 })
  )
  .map(([numbers, zeros, names]) =>
    numbers.map((version, index) => ({
      version,
      fileName: `${spelled(version, zeros[index]!)}_${names[index]}.sql`,
      name: names[index]!
    }))
  )

function ledgerOf(
  migrations: ReturnType<typeof requireMigrationSet>,
  applied: readonly number[]
): MigrationLedgerRow[] {
  return migrations
    .filter((migration) => applied.includes(migration.version))
    .map((migration) => ({
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      appliedAt: '2025-11-01T12:00:00.000Z',
      appliedBy: 'ada',
      durationMs: 5,
      success: true,
      transactional: true
    }))
}

describe('migration file names, generated', () => {
  it('orders any set of versions with gaps by number, whatever the padding or the order read', () => {
    fc.assert(
      fc.property(folder, fc.boolean(), (forwards, reversed) => {
        const files = forwards.map((forward) => file(forward.fileName))
        const migrations = requireMigrationSet(reversed ? files.reverse() : files, DIRECTORY)
        expect(migrations.map((migration) => migration.version)).toEqual(
          forwards.map((forward) => forward.version).sort((a, b) => a - b)
        )
      })
    )
  })

  it('refuses two files with one version, naming both, however the number is padded', () => {
    fc.assert(
      fc.property(folder, fc.nat(), padding, migrationName, (forwards, pick, zeros, name) => {
        const taken = forwards[pick % forwards.length]!
        const twin = `${spelled(taken.version, zeros)}_${name}_again.sql`
        const error = thrownBy(() =>
          requireMigrationSet([...forwards.map((forward) => file(forward.fileName)), file(twin)], DIRECTORY)
        )
        expect(error.code).toBe('bad_input')
        const [first, second] = [taken.fileName, twin].sort()
        expect(error.message).toContain(
          `${DIRECTORY}/${second}: has version ${taken.version}, which ${first} already has`
        )
      })
    )
  })

  it('refuses a file that fills a skipped number below the applied version, naming it', () => {
    fc.assert(
      fc.property(folder, migrationName, (forwards, name) => {
        const sorted = forwards.map((forward) => forward.version).sort((a, b) => a - b)
        const highest = sorted.at(-1)!
        const gap = Array.from({ length: highest }, (_, index) => index + 1).find((number) => !sorted.includes(number))
        fc.pre(gap !== undefined)
        const applied = requireMigrationSet(
          forwards.map((forward) => file(forward.fileName)),
          DIRECTORY
        )
        const late = `${gap}_${name}_late.sql`
        const now = requireMigrationSet([...forwards.map((forward) => file(forward.fileName)), file(late)], DIRECTORY)
        const report = migrationStatus(now, ledgerOf(applied, sorted))
        const error = thrownBy(() => planMigrate(now, report))
        expect(error.code).toBe('refused')
        expect(error.message).toContain(`${late} is pending but numbered below version ${highest}`)
      })
    )
  })

  it('refuses to roll back a range holding a migration without a rollback file, naming each such file', () => {
    fc.assert(
      fc.property(folder, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (forwards, hasRollback) => {
        const files = forwards.flatMap((forward, index) =>
          hasRollback[index]
            ? [file(forward.fileName), file(forward.fileName.replace(/\.sql$/, '.down.sql'))]
            : [file(forward.fileName)]
        )
        const migrations = requireMigrationSet(files, DIRECTORY)
        const report = migrationStatus(
          migrations,
          ledgerOf(
            migrations,
            forwards.map((forward) => forward.version)
          )
        )
        const lacking = forwards.filter((_, index) => !hasRollback[index])
        const plan = () => planRollback(migrations, report, 0, { directory: DIRECTORY, database: 'unicorn_test' })
        if (lacking.length === 0) {
          expect(plan()).toHaveLength(forwards.length)
          return
        }
        const error = thrownBy(plan)
        expect(error.code).toBe('refused')
        for (const forward of lacking)
          expect(error.message).toContain(`${DIRECTORY}/${forward.fileName} has no rollback file`)
      })
    )
  })

  it('refuses a rollback whose forward file is missing, naming the rollback', () => {
    fc.assert(
      fc.property(folder, migrationName, fc.boolean(), (forwards, orphanName, seedStyle) => {
        fc.pre(!forwards.some((forward) => forward.name === orphanName))
        const orphan = seedStyle ? `rollback_${orphanName}.sql` : `9999_${orphanName}.down.sql`
        const error = thrownBy(() =>
          requireMigrationSet([...forwards.map((forward) => file(forward.fileName)), file(orphan)], DIRECTORY)
        )
        expect(error.message).toContain(`${DIRECTORY}/${orphan}: is a rollback for`)
      })
    )
  })

  it('names every .sql file whose name is not a migration name, for any name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24, unit: 'grapheme' }), (stem) => {
        const fileName = `${stem}.sql`
        const { problems } = buildMigrationSet([file('001_baseline.sql'), file(fileName)])
        for (const problem of problems) expect(problem.fileName).toBe(fileName)
      }),
      { numRuns: 2000 }
    )
  })
})
