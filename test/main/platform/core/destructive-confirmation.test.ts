import { describe, expect, it } from 'vitest'
import { requireConfirmation } from '@main/platform/core/destructive-confirmation'

const base = { action: 'rollback', environment: 'staging', database: 'unicorn_db' }

describe('requireConfirmation', () => {
  it('refuses an unprotected environment without an explicit yes', () => {
    expect(() => requireConfirmation({ ...base, protected: false })).toThrow(
      /confirm explicitly \(on the command line: --confirm\)/
    )
  })

  it('accepts an explicit yes outside protected environments', () => {
    expect(() => requireConfirmation({ ...base, protected: false, confirm: true })).not.toThrow()
  })

  it('does not accept a plain yes in a protected environment; the typed name is needed', () => {
    expect(() => requireConfirmation({ ...base, protected: true, confirm: true })).toThrow(
      /protected.*--confirm unicorn_db/
    )
  })

  it('accepts the typed database name in a protected environment', () => {
    expect(() => requireConfirmation({ ...base, protected: true, confirmation: 'unicorn_db' })).not.toThrow()
  })

  it('refuses a typed name that is not the database, anywhere', () => {
    for (const isProtected of [true, false]) {
      expect(() =>
        requireConfirmation({ ...base, protected: isProtected, confirm: true, confirmation: 'unicorn_test' })
      ).toThrow(/"unicorn_test" does not match the database "unicorn_db"/)
    }
  })

  it('refuses with the refused code', () => {
    expect(() => requireConfirmation({ ...base, protected: false })).toThrow(
      expect.objectContaining({ code: 'refused' })
    )
  })
})
