import type { CatalogObject } from '@shared/migration-types'

export interface CatalogDiff {
  created: CatalogObject[]
  dropped: CatalogObject[]
}

/** What identifies an object across two snapshots: kind, schema, owning table, name, overload. */
export function catalogObjectKey(object: CatalogObject): string {
  return JSON.stringify([object.kind, object.schema, object.table ?? null, object.name, object.arguments ?? null])
}

/**
 * Objects present after but not before (created) and the reverse (dropped), each sorted by key.
 * A migration's `created` list is what its rollback must remove again.
 */
export function diffCatalog(before: readonly CatalogObject[], after: readonly CatalogObject[]): CatalogDiff {
  const beforeKeys = new Set(before.map(catalogObjectKey))
  const afterKeys = new Set(after.map(catalogObjectKey))
  return {
    created: sortObjects(after.filter((object) => !beforeKeys.has(catalogObjectKey(object)))),
    dropped: sortObjects(before.filter((object) => !afterKeys.has(catalogObjectKey(object))))
  }
}

function sortObjects(objects: CatalogObject[]): CatalogObject[] {
  return objects
    .map((object) => ({ object, key: catalogObjectKey(object) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ object }) => object)
}
