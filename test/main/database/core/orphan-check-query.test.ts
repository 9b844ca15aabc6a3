import { describe, expect, it } from 'vitest'
import { quoteIdentifier } from '@main/database/postgres-target'
import {
  describeForeignKey,
  orphanCountQuery,
  type ForeignKeyDescription
} from '@main/database/core/orphan-check-query'

const keys: ForeignKeyDescription = {
  name: 'llm_provider_keys_provider_id_fkey',
  schema: 'public',
  table: 'llm_provider_keys',
  columns: ['provider_id'],
  referencedSchema: 'public',
  referencedTable: 'llm_providers',
  referencedColumns: ['id']
}

describe('orphanCountQuery', () => {
  it('counts child rows with a set key and no parent row, bounded', () => {
    expect(orphanCountQuery(keys, quoteIdentifier, 1000)).toBe(
      'SELECT count(*)::int AS orphans FROM (SELECT 1 FROM "public"."llm_provider_keys" AS child ' +
        'WHERE child."provider_id" IS NOT NULL AND NOT EXISTS ' +
        '(SELECT 1 FROM "public"."llm_providers" AS parent WHERE parent."id" = child."provider_id") ' +
        'LIMIT 1000) AS orphan'
    )
  })

  it('matches every column of a composite key, pairwise in key order', () => {
    const composite = { ...keys, columns: ['a', 'b'], referencedColumns: ['x', 'y'] }
    const sql = orphanCountQuery(composite, quoteIdentifier)
    expect(sql).toContain('child."a" IS NOT NULL AND child."b" IS NOT NULL')
    expect(sql).toContain('parent."x" = child."a" AND parent."y" = child."b"')
  })

  it('quotes every name, so a hostile table or column name stays an identifier', () => {
    const hostile = { ...keys, table: 'x"; DROP TABLE users; --', columns: ['c"c'] }
    const sql = orphanCountQuery(hostile, quoteIdentifier)
    expect(sql).toContain('"public"."x""; DROP TABLE users; --" AS child')
    expect(sql).toContain('child."c""c"')
  })

  it('uses the quote function it is given for every name', () => {
    const seen: string[] = []
    orphanCountQuery(keys, (name) => {
      seen.push(name)
      return `<${name}>`
    })
    expect(seen.sort()).toEqual(
      ['id', 'llm_provider_keys', 'llm_providers', 'provider_id', 'provider_id', 'public', 'public'].sort()
    )
  })

  it('refuses a description whose column lists do not pair up', () => {
    expect(() => orphanCountQuery({ ...keys, referencedColumns: [] }, quoteIdentifier)).toThrow(/inconsistent/)
  })

  it('describes a key as child(columns) -> parent(columns)', () => {
    expect(describeForeignKey(keys)).toBe('public.llm_provider_keys(provider_id) -> public.llm_providers(id)')
  })
})
