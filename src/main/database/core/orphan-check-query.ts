import { RampartError } from '@shared/errors'

/**
 * Finding rows whose foreign key points at nothing, one query per constraint, built from the
 * catalog's description of the key. Every name goes through `quote` (the adapter's
 * quoteIdentifier); nothing from the catalog is pasted into SQL as is.
 */

export interface ForeignKeyDescription {
  name: string
  schema: string
  table: string
  columns: string[]
  referencedSchema: string
  referencedTable: string
  referencedColumns: string[]
}

export type QuoteIdentifier = (name: string) => string

/** Orphans are counted up to this many per constraint: enough to report, bounded on a big table. */
export const ORPHAN_COUNT_LIMIT = 1000

/**
 * `SELECT count(*)::int AS orphans` over the child rows whose key columns are all set (MATCH
 * SIMPLE: a row with a NULL in its key references nothing) and have no parent row.
 */
export function orphanCountQuery(
  key: ForeignKeyDescription,
  quote: QuoteIdentifier,
  limit = ORPHAN_COUNT_LIMIT
): string {
  if (key.columns.length === 0 || key.columns.length !== key.referencedColumns.length) {
    throw new RampartError(
      'failed',
      `Foreign key ${key.name} on ${key.schema}.${key.table} has ${key.columns.length} columns but references ` +
        `${key.referencedColumns.length}; the catalog description is inconsistent`
    )
  }
  if (!Number.isInteger(limit) || limit < 1)
    throw new RampartError('bad_input', `The orphan count limit ${limit} is not a positive whole number`)
  const child = `${quote(key.schema)}.${quote(key.table)}`
  const parent = `${quote(key.referencedSchema)}.${quote(key.referencedTable)}`
  const present = key.columns.map((column) => `child.${quote(column)} IS NOT NULL`).join(' AND ')
  const matches = key.columns
    .map((column, index) => `parent.${quote(key.referencedColumns[index]!)} = child.${quote(column)}`)
    .join(' AND ')
  return (
    `SELECT count(*)::int AS orphans FROM (SELECT 1 FROM ${child} AS child WHERE ${present} ` +
    `AND NOT EXISTS (SELECT 1 FROM ${parent} AS parent WHERE ${matches}) LIMIT ${limit}) AS orphan`
  )
}

/** `schema.table(a, b) -> schema.parent(x, y)`, for messages. */
export function describeForeignKey(key: ForeignKeyDescription): string {
  return (
    `${key.schema}.${key.table}(${key.columns.join(', ')}) -> ` +
    `${key.referencedSchema}.${key.referencedTable}(${key.referencedColumns.join(', ')})`
  )
}
