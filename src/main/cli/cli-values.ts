import { UsageError } from './usage-error'
import type { OptionValues } from './cli-command'

/** Typed access to parsed options, with usage errors that name the option. */
export function requiredString(values: OptionValues, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`)
  return value
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new UsageError(`--${name} takes a value`)
  return value
}

export function stringList(values: OptionValues, name: string): string[] {
  const value = values[name]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map(String)
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true
}

export function optionalInteger(values: OptionValues, name: string, min: number, max: number): number | undefined {
  const text = optionalString(values, name)
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} ${text} is not a whole number from ${min} to ${max}`)
  }
  return Number(text)
}

/** `--at` and similar: an ISO 8601 instant with a zone, or a usage error naming the option. */
export function optionalInstant(values: OptionValues, name: string): number | undefined {
  const text = optionalString(values, name)
  if (text === undefined) return undefined
  const zoned = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(text)
  const epochMs = Date.parse(text)
  if (zoned === null || Number.isNaN(epochMs) || !isCalendarTime(zoned)) {
    throw new UsageError(`--${name} ${text} is not an ISO 8601 instant with a zone (e.g. 2025-11-01T12:00:00Z)`)
  }
  return epochMs
}

/** Date.parse rolls 2025-02-30 over to March 2 and accepts 24:00; an operator who typed that made a mistake. */
function isCalendarTime(parts: RegExpExecArray): boolean {
  const [year, month, day, hour, minute] = parts.slice(1, 6).map(Number) as [number, number, number, number, number]
  const second = parts[7] === undefined ? 0 : Number(parts[7])
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
}
