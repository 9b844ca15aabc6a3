import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { RampartError } from '../../shared/errors'

/**
 * Reads a JSON file and validates it; every error names the file and, for syntax errors, the
 * line and column, for schema errors the field.
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string): z.output<S> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String((error as Error).message)
    throw new RampartError('bad_input', `${what} ${path} ${reason}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new RampartError('bad_input', `${what} ${path} is not valid JSON: ${describeJsonSyntaxError(text, error as Error)}`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.')
      return `${field === '' ? '(top level)' : field}: ${issue.message}`
    })
    throw new RampartError('bad_input', `${what} ${path}: ${problems.join('; ')}`, { issues: parsed.error.issues })
  }
  return parsed.data
}

/** Node reports a JSON syntax error by character position; operators want a line and column. */
function describeJsonSyntaxError(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message)
  if (match === null) return error.message
  const position = Number(match[1])
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const column = position - before.lastIndexOf('\n')
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`
}
