import { describe, expect, it } from 'vitest'
import { conninfo } from '@main/database/core/libpq-conninfo'

describe('conninfo', () => {
  it('quotes every value, so a database name holding "=" is never read as a connection string', () => {
    expect(conninfo({ dbname: 'host=evil.example port=1', user: 'unicorn' })).toBe(
      "dbname='host=evil.example port=1' user='unicorn'"
    )
  })

  it('escapes single quotes and backslashes with a backslash', () => {
    expect(conninfo({ dbname: "it's a \\ name" })).toBe("dbname='it\\'s a \\\\ name'")
  })

  it('leaves double quotes and semicolons as they are inside the quotes', () => {
    expect(conninfo({ dbname: 'x"; DROP DATABASE postgres; --' })).toBe(`dbname='x"; DROP DATABASE postgres; --'`)
  })

  it('refuses a NUL character', () => {
    expect(() => conninfo({ dbname: 'a\0b' })).toThrow(/NUL/)
  })
})
