import { describe, expect, it } from 'vitest'
import {
  describeCatalogObject,
  expectedObjects,
  objectsMissing,
  objectsPresent
} from '@main/database/core/catalog-presence'
import type { CatalogObject } from '@shared/migration-types'

const users: CatalogObject = { kind: 'table', schema: 'public', name: 'users' }
const providers: CatalogObject = { kind: 'table', schema: 'public', name: 'llm_providers' }
const index: CatalogObject = { kind: 'index', schema: 'public', name: 'users_email_idx', table: 'users' }

describe('objectsPresent and objectsMissing', () => {
  it('split objects by whether the snapshot still holds them', () => {
    expect(objectsPresent([users, providers], [users, index])).toEqual([users])
    expect(objectsMissing([users, providers], [users, index])).toEqual([providers])
  })

  it('compare by identity, not by extra fields such as the constraint type', () => {
    const constraint: CatalogObject = {
      kind: 'constraint',
      schema: 'public',
      name: 'c',
      table: 't',
      constraintType: 'f'
    }
    expect(objectsPresent([{ ...constraint, constraintType: 'c' }], [constraint])).toHaveLength(1)
  })
})

describe('expectedObjects', () => {
  it('adds what each migration created and removes what a later one dropped', () => {
    expect(
      expectedObjects([
        { version: 5, created: [], dropped: [providers] },
        { version: 2, created: [providers, index], dropped: [] },
        { version: 1, created: [users], dropped: [] }
      ])
    ).toEqual([users, index])
  })

  it('keeps an object dropped and created again by a later migration', () => {
    expect(
      expectedObjects([
        { version: 1, created: [users], dropped: [] },
        { version: 2, created: [users], dropped: [users] }
      ])
    ).toEqual([users])
  })
})

describe('describeCatalogObject', () => {
  it('names the kind, the object and its table', () => {
    expect(describeCatalogObject(index)).toBe('index public.users_email_idx on public.users')
    expect(describeCatalogObject({ kind: 'materialized_view', schema: 's', name: 'v' })).toBe('materialized view s.v')
  })
})
