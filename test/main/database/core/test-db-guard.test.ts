import { describe, expect, it } from 'vitest'
import { refuseUnsafeTestDbSetup } from '@main/database/core/test-db-guard'
import { EnvironmentSchema, type EnvironmentConfig } from '@main/workspace/core/workspace-schema'

function environment(postgres: Record<string, unknown>, extra: Record<string, unknown> = {}): EnvironmentConfig {
  return EnvironmentSchema.parse({ postgres, ...extra })
}

const source = '/work/rampart.config.yaml'

describe('refuseUnsafeTestDbSetup', () => {
  it('allows a disposable database in an unprotected environment', () => {
    expect(() => refuseUnsafeTestDbSetup('local', environment({ disposable: true }), source)).not.toThrow()
  })

  it('refuses a database not marked disposable, naming the setting and the file', () => {
    expect(() => refuseUnsafeTestDbSetup('local', environment({ database: 'unicorn_db' }), source)).toThrow(
      /"unicorn_db", which environment "local" does not mark disposable \(set postgres.disposable: true in \/work\/rampart.config.yaml/
    )
  })

  it('refuses a protected environment even when the database is disposable', () => {
    expect(() =>
      refuseUnsafeTestDbSetup('prod', environment({ disposable: true }, { protected: true }), source)
    ).toThrow(
      expect.objectContaining({ code: 'refused', message: expect.stringContaining('environment "prod" is protected') })
    )
  })

  it('refuses the cluster’s own databases', () => {
    for (const database of ['postgres', 'template0', 'template1']) {
      expect(() => refuseUnsafeTestDbSetup('local', environment({ disposable: true, database }), source)).toThrow(
        /will not drop a database the cluster itself needs/
      )
    }
  })

  it('refuses a name Postgres would silently shorten', () => {
    expect(() =>
      refuseUnsafeTestDbSetup('local', environment({ disposable: true, database: 'd'.repeat(64) }), source)
    ).toThrow(/63-byte limit/)
    expect(() =>
      refuseUnsafeTestDbSetup('local', environment({ disposable: true, database: 'é'.repeat(32) }), source)
    ).toThrow(/63-byte limit/)
  })
})
