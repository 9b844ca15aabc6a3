import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { backupFileName, backupPathSegments, compactUtc } from '@main/database/core/backup-file-name'

const at = new Date('2025-11-03T09:00:00.123Z')

describe('backupFileName', () => {
  it('names the database and the UTC time, sortable and without colons', () => {
    expect(backupFileName('unicorn_test', at)).toBe('unicorn_test-20251103T090000.123Z.dump')
  })

  it('keeps a plain name as it is and puts it under the environment folder', () => {
    expect(backupPathSegments('local', 'unicorn_test', at)).toEqual(['local', 'unicorn_test-20251103T090000.123Z.dump'])
  })

  it('turns a name with quotes, slashes and spaces into a safe file name with a hash of the real name', () => {
    const name = backupFileName('x"; DROP DATABASE postgres; --', at)
    expect(name).toMatch(/^x_DROP_DATABASE_postgres_[0-9a-f]{8}-20251103T090000\.123Z\.dump$/)
  })

  it('keeps two names that differ only in unsafe characters apart', () => {
    expect(backupFileName('a/b', at)).not.toBe(backupFileName('a b', at))
  })

  it('never yields a path separator, a dot-dot or an empty name part, whatever the database name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (database) => {
        const name = backupFileName(database, at)
        expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*-\d{8}T\d{6}\.\d{3}Z\.dump$/)
        expect(name.length).toBeLessThan(120)
      })
    )
  })

  it('never starts a file name with a dash', () => {
    expect(backupFileName('-rf', at)).toMatch(/^rf_[0-9a-f]{8}-/)
  })

  it('sorts in time order', () => {
    expect(compactUtc(new Date('2025-11-03T09:00:00.999Z')) < compactUtc(new Date('2025-11-03T09:00:01.000Z'))).toBe(
      true
    )
  })
})
