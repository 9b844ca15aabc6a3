import { describe, expect, it } from 'vitest'
import { connectionString, passwordSource } from '@main/database/core/connection-string'

describe('connectionString', () => {
  it('gives the seed’s URL without the password', () => {
    expect(connectionString({ user: 'unicorn', host: 'localhost', port: 5432, database: 'unicorn_test' })).toBe(
      'postgresql://unicorn@localhost:5432/unicorn_test'
    )
  })

  it('encodes names that would break the URL', () => {
    expect(
      connectionString({ user: 'a@b', host: '127.0.0.1', port: 5433, database: 'x"; DROP DATABASE postgres; --' })
    ).toBe('postgresql://a%40b@127.0.0.1:5433/x%22%3B%20DROP%20DATABASE%20postgres%3B%20--')
  })

  it('brackets an IPv6 host', () => {
    expect(connectionString({ user: 'u', host: '::1', port: 5432, database: 'd' })).toBe('postgresql://u@[::1]:5432/d')
  })
})

describe('passwordSource', () => {
  it('names the variable and never the fallback value', () => {
    expect(passwordSource('${RAMPART_PG_PASSWORD:-unicorn}')).toBe('password from ${RAMPART_PG_PASSWORD}')
    expect(passwordSource('${PGPASS}')).toBe('password from ${PGPASS}')
  })
})
