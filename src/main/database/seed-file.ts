import { readFileSync } from 'node:fs'
import path from 'node:path'
import { RampartError } from '@shared/errors'

export interface SeedFile {
  /** Relative to the migrations folder, e.g. `seeds/tier_rules.sql`, as messages name it. */
  name: string
  path: string
  sql: string
}

/** A seed script under the migrations folder, or null when the folder has none by that name. */
export function readSeedFile(migrationsDirectory: string, name: string): SeedFile | null {
  const file = path.join(migrationsDirectory, name)
  try {
    return { name, path: file, sql: readFileSync(file, 'utf8') }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new RampartError('failed', `Cannot read the seed file ${file}: ${(error as Error).message}`)
  }
}
