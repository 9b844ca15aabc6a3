import { describe, expect, it } from 'vitest'
import { resolveSecretReference } from '@main/platform/secret-reference'
import { RampartError } from '@shared/errors'

const FIELD = 'environment "local" postgres.password'

describe('resolveSecretReference', () => {
  it('reads ${VAR} from the environment', () => {
    expect(resolveSecretReference('${PG_PASSWORD}', { PG_PASSWORD: 's3cret' }, FIELD)).toBe('s3cret')
  })

  it('falls back to the default when the variable is unset or empty, as the shell does', () => {
    expect(resolveSecretReference('${PG_PASSWORD:-unicorn}', {}, FIELD)).toBe('unicorn')
    expect(resolveSecretReference('${PG_PASSWORD:-unicorn}', { PG_PASSWORD: '' }, FIELD)).toBe('unicorn')
    expect(resolveSecretReference('${PG_PASSWORD:-unicorn}', { PG_PASSWORD: 'set' }, FIELD)).toBe('set')
    expect(resolveSecretReference('${PG_PASSWORD:-}', {}, FIELD)).toBe('')
  })

  it('names the field and the variable when it is unset', () => {
    let caught: unknown
    try {
      resolveSecretReference('${PG_PASSWORD}', {}, FIELD)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(RampartError)
    expect((caught as RampartError).code).toBe('bad_input')
    expect((caught as RampartError).message).toBe(
      'environment "local" postgres.password refers to ${PG_PASSWORD}, ' +
        'but the environment variable PG_PASSWORD is not set. ' +
        'Set PG_PASSWORD, or give a default as ${PG_PASSWORD:-value}.'
    )
  })

  it('refuses a literal instead of a reference without echoing it', () => {
    let caught: unknown
    try {
      resolveSecretReference('hunter2', {}, FIELD)
    } catch (error) {
      caught = error
    }
    expect((caught as RampartError).message).toContain('must be a ${ENV_VAR}')
    expect((caught as RampartError).message).not.toContain('hunter2')
  })
})
