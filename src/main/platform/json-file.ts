import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { RampartError } from '@shared/errors'
import { describeIssues } from './input-validation'
import { findJsonSyntaxError } from './core/json-syntax-error'

/**
 * Reads a JSON file and validates it; every error names the file and, for syntax errors, the
 * line and column, for schema errors the field.
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string): z.output<S> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String((error as Error).message)
    throw new RampartError('bad_input', `${what} ${path} ${reason}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new RampartError('bad_input', `${what} ${path} is not valid JSON: ${describeJsonSyntaxError(text, error)}`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw new RampartError('bad_input', `${what} ${path}: ${describeIssues(parsed.error, '(top level)')}`, {
      issues: parsed.error.issues
    })
  }
  return parsed.data
}

/** Node names the position of only some syntax errors; operators need a line and column for all of them. */
function describeJsonSyntaxError(text: string, error: unknown): string {
  const found = findJsonSyntaxError(text)
  if (found === null) return error instanceof Error ? error.message : String(error)
  return `line ${found.line}, column ${found.column}: ${found.problem}`
}
