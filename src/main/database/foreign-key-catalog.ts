import type { ForeignKeyDescription } from './core/orphan-check-query'
import type { PostgresSession } from './postgres-target'

// Column names in key order (conkey and confkey are parallel arrays); partitions' copies of a
// partitioned table's key (conparentid <> 0) are left out, the parent's check covers them.
const FOREIGN_KEYS_SQL = `
SELECT con.conname AS name, n.nspname AS schema, c.relname AS table_name,
       rn.nspname AS referenced_schema, rc.relname AS referenced_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.position) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.position) AS referenced_columns
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class rc ON rc.oid = con.confrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE con.contype = 'f' AND con.conparentid = 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
 ORDER BY n.nspname, c.relname, con.conname`

/** Every foreign key in the user schemas of the session's database. */
export async function readForeignKeys(session: PostgresSession): Promise<ForeignKeyDescription[]> {
  const rows = await session.query<{
    name: string
    schema: string
    table_name: string
    referenced_schema: string
    referenced_table: string
    columns: string[]
    referenced_columns: string[]
  }>(FOREIGN_KEYS_SQL)
  return rows.map((row) => ({
    name: row.name,
    schema: row.schema,
    table: row.table_name,
    columns: row.columns,
    referencedSchema: row.referenced_schema,
    referencedTable: row.referenced_table,
    referencedColumns: row.referenced_columns
  }))
}
