import { readdirSync, readFileSync, type Dirent } from 'node:fs'
import path from 'node:path'
import { RampartError } from '@shared/errors'
import type { MigrationSourceFile } from './core/migration-files'

/**
 * The `.sql` files directly in a migrations directory, as bytes (the checksum is over bytes).
 * Subfolders such as `seeds/` are not migrations and are not read.
 */
export function readMigrationDirectory(directory: string): MigrationSourceFile[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(directory, { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new RampartError(
        'bad_input',
        `The migrations directory ${directory} does not exist; check the environment's "migrations" setting`
      )
    }
    throw new RampartError('failed', `Cannot read the migrations directory ${directory}: ${(error as Error).message}`)
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.sql'))
    .map((entry) => {
      const file = path.join(directory, entry.name)
      try {
        return { fileName: entry.name, bytes: readFileSync(file) }
      } catch (error) {
        throw new RampartError('failed', `Cannot read the migration file ${file}: ${(error as Error).message}`)
      }
    })
}
