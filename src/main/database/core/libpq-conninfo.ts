import { RampartError } from '@shared/errors'

/**
 * A libpq connection string (`dbname='…' user='…'`) for the Postgres tools run in a container.
 * Passing `-d NAME` would be read as a connection string whenever NAME holds "=", so names
 * always go in quoted key/value form: single quotes, with "\" and "'" escaped by a backslash.
 */
export function conninfo(parameters: Record<string, string>): string {
  return Object.entries(parameters)
    .map(([key, value]) => {
      if (!/^[a-z_]+$/.test(key))
        throw new RampartError('bad_input', `"${key}" is not a libpq connection parameter name`)
      if (value.includes('\0')) throw new RampartError('bad_input', `The ${key} value holds a NUL character`)
      return `${key}='${value.replace(/[\\']/g, (char) => `\\${char}`)}'`
    })
    .join(' ')
}
