import type { CatalogObject } from '@shared/migration-types'
import { catalogObjectKey } from './catalog-diff'

/** The objects of `objects` that the catalog snapshot still holds. */
export function objectsPresent(objects: readonly CatalogObject[], snapshot: readonly CatalogObject[]): CatalogObject[] {
  const keys = new Set(snapshot.map(catalogObjectKey))
  return objects.filter((object) => keys.has(catalogObjectKey(object)))
}

/** The objects of `objects` that the catalog snapshot does not hold. */
export function objectsMissing(objects: readonly CatalogObject[], snapshot: readonly CatalogObject[]): CatalogObject[] {
  const keys = new Set(snapshot.map(catalogObjectKey))
  return objects.filter((object) => !keys.has(catalogObjectKey(object)))
}

export interface LedgerObjects {
  version: number
  created: readonly CatalogObject[]
  dropped: readonly CatalogObject[]
}

/**
 * What applied migrations leave in place: in version order, each one's created objects are
 * added and its dropped objects taken away, so a table made by 002 and dropped by 005 is not
 * expected to exist.
 */
export function expectedObjects(entries: readonly LedgerObjects[]): CatalogObject[] {
  const live = new Map<string, CatalogObject>()
  for (const entry of [...entries].sort((a, b) => a.version - b.version)) {
    for (const object of entry.dropped) live.delete(catalogObjectKey(object))
    for (const object of entry.created) live.set(catalogObjectKey(object), object)
  }
  return [...live.values()]
}

/** `kind schema.name` (with its table for indexes, constraints and triggers), for messages. */
export function describeCatalogObject(object: CatalogObject): string {
  const on = object.table === undefined ? '' : ` on ${object.schema}.${object.table}`
  const args = object.arguments === undefined ? '' : `(${object.arguments})`
  return `${object.kind.replace('_', ' ')} ${object.schema}.${object.name}${args}${on}`
}
