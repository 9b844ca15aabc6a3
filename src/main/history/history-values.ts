/** How the history file's columns read back: JSON text, and row limits given by callers. */
import { RampartError } from '@shared/errors'
import type { JsonValue } from '@shared/history-types'

/** Text that is not JSON (an edited row) is returned as-is, so verify reports it instead of crashing. */
export function parseJson(text: string | null): JsonValue {
  if (text === null) return null
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    return text
  }
}

export function positiveCount(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RampartError('bad_input', `History event limit ${value} is not a positive whole number`)
  }
  return value
}
