import { describe, expect, it } from 'vitest'
import { diffCatalog } from '@main/database/core/catalog-diff'
import type { CatalogObject } from '@shared/migration-types'

const users: CatalogObject = { kind: 'table', schema: 'public', name: 'users' }
const providers: CatalogObject = { kind: 'table', schema: 'public', name: 'llm_providers' }
const fk: CatalogObject = {
  kind: 'constraint',
  schema: 'public',
  name: 'k_fkey',
  table: 'llm_provider_keys',
  constraintType: 'f'
}
const oldIndex: CatalogObject = { kind: 'index', schema: 'public', name: 'old_idx', table: 'users' }

describe('diffCatalog', () => {
  it('lists what appeared as created and what vanished as dropped', () => {
    expect(diffCatalog([users, oldIndex], [users, fk, providers])).toEqual({
      created: [fk, providers],
      dropped: [oldIndex]
    })
  })

  it('tells function overloads apart by their arguments', () => {
    const f1: CatalogObject = { kind: 'function', schema: 'public', name: 'f', arguments: 'integer' }
    const f2: CatalogObject = { kind: 'function', schema: 'public', name: 'f', arguments: 'text' }
    expect(diffCatalog([f1], [f1, f2]).created).toEqual([f2])
  })

  it('tells same-named constraints on different tables apart', () => {
    const a: CatalogObject = { kind: 'constraint', schema: 'public', name: 'c', table: 'a', constraintType: 'c' }
    const b: CatalogObject = { kind: 'constraint', schema: 'public', name: 'c', table: 'b', constraintType: 'c' }
    expect(diffCatalog([a], [a, b]).created).toEqual([b])
  })

  it('finds nothing between equal snapshots in any order', () => {
    expect(diffCatalog([users, fk], [fk, users])).toEqual({ created: [], dropped: [] })
  })
})
