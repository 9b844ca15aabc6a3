import { RampartError } from '@shared/errors'

/**
 * Which log lines an operator asked to see. The JSON reading here is deliberately minimal (the
 * `event_type` field only); the full structured-event parser lives with the guard engine.
 */
export interface LogLineFilterSpec {
  /** A substring, or a regular expression written as /pattern/flags. */
  grep?: string
  /** One event type, or several separated by commas (API_CALL,ERROR); case does not matter. */
  eventType?: string
}

export type LogLinePredicate = (text: string) => boolean

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s

/** Compiles a filter once; the returned predicate is called for every line. */
export function compileLogLineFilter(spec: LogLineFilterSpec): LogLinePredicate | null {
  const tests: LogLinePredicate[] = []
  if (spec.grep !== undefined && spec.grep !== '') tests.push(compileGrep(spec.grep))
  if (spec.eventType !== undefined && spec.eventType !== '') tests.push(compileEventType(spec.eventType))
  if (tests.length === 0) return null
  if (tests.length === 1) return tests[0]!
  const [first, second] = tests as [LogLinePredicate, LogLinePredicate]
  return (text) => first(text) && second(text)
}

function compileGrep(grep: string): LogLinePredicate {
  const literal = REGEX_LITERAL.exec(grep)
  if (literal === null) return (text) => text.includes(grep)
  const [, pattern, flags] = literal as unknown as [string, string, string]
  const unsupported = flags.replace(/[imsu]/g, '')
  if (unsupported !== '') {
    throw new RampartError('bad_input', `--grep ${grep}: flag(s) "${unsupported}" are not supported (use i, m, s or u)`)
  }
  let regex: RegExp
  try {
    regex = new RegExp(pattern, flags)
  } catch (error) {
    throw new RampartError('bad_input', `--grep ${grep} is not a valid regular expression: ${(error as Error).message}`)
  }
  return (text) => regex.test(text)
}

function compileEventType(eventType: string): LogLinePredicate {
  const wanted = new Set(
    eventType
      .split(',')
      .map((name) => name.trim().toUpperCase())
      .filter((name) => name !== '')
  )
  if (wanted.size === 0)
    throw new RampartError(
      'bad_input',
      `--event-type "${eventType}" names no event type (e.g. API_CALL or ERROR,API_CALL)`
    )
  return (text) => {
    const type = readEventType(text)
    return type !== null && wanted.has(type.toUpperCase())
  }
}

/** The `event_type` of a JSON log line, or null when the line is not a JSON object with one. */
export function readEventType(text: string): string | null {
  // Cheap rejections first: most non-matching lines never reach JSON.parse.
  if (!text.includes('"event_type"')) return null
  const start = text.indexOf('{')
  if (start === -1 || text.slice(0, start).trim() !== '') return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const type = (value as Record<string, unknown>).event_type
  return typeof type === 'string' ? type : null
}
