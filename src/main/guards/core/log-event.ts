import { parseDockerTimestamp } from '@main/docker/core/docker-log-frames'
import { parseLogTimestampMs } from './log-timestamp'

/**
 * One line of the service's structured log (docs/design.md "Structured log events"):
 * a JSON object, optionally behind Docker's RFC 3339 timestamp prefix and a space.
 *
 * Runs once per line of a replayed log, so it does one JSON.parse and reads the fields by
 * hand: no schema library, no copies of the line, and the unparsed results are shared
 * constants.
 */

export interface LogEvent {
  kind: 'event'
  /** The line's `timestamp`, else the Docker prefix, as epoch milliseconds. */
  timestampMs: number
  /** API_CALL, ERROR, PAGE_VIEW, FEATURE_USAGE, FEATURE_FLAG, METRIC, or whatever the service wrote. */
  eventType: string
  /** null when absent or empty (an empty id is no id, as in flag evaluation). */
  userId: string | null
  statusCode: number | null
  durationMs: number | null
  endpoint: string | null
  method: string | null
  /** What the user was served, `{ flagName: true/false }`; null when absent or not an object. */
  flags: Readonly<Record<string, unknown>> | null
  /** On FEATURE_FLAG: the evaluated flag, its result and the rule that decided. */
  flag: string | null
  enabled: boolean | null
  reason: string | null
  /** On ERROR. */
  errorType: string | null
  message: string | null
}

export const UNPARSED_REASONS = {
  notJson: 'not JSON',
  notObject: 'not a JSON object',
  noTimestamp: 'no timestamp (neither a "timestamp" field nor a Docker timestamp prefix)',
  badTimestamp: '"timestamp" is not an ISO 8601 instant (e.g. 2025-11-01T12:00:00.000Z)',
  noEventType: 'no "event_type"',
  noStatusCode: 'API_CALL without an integer "status_code"',
  noDuration: 'API_CALL without a number "duration_ms" (0 or more)'
} as const
export type UnparsedReason = (typeof UNPARSED_REASONS)[keyof typeof UNPARSED_REASONS]

export interface UnparsedLine {
  kind: 'unparsed'
  why: UnparsedReason
}

export type ParsedLogLine = LogEvent | UnparsedLine

/** One shared result per reason: an unparsed line costs no allocation. */
export const UNPARSED_LINES: { readonly [K in keyof typeof UNPARSED_REASONS]: UnparsedLine } = {
  notJson: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.notJson }),
  notObject: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.notObject }),
  noTimestamp: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.noTimestamp }),
  badTimestamp: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.badTimestamp }),
  noEventType: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.noEventType }),
  noStatusCode: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.noStatusCode }),
  noDuration: Object.freeze({ kind: 'unparsed', why: UNPARSED_REASONS.noDuration })
}

const OPEN_BRACE = 123
const CLOSE_BRACE = 125

/**
 * Parses one log line. `fallbackTimestamp` is the time Docker stamped the line with (its
 * RFC 3339 text, or epoch ms) when the reader asked for timestamps separately; it is used only
 * when the JSON has no `timestamp`, as is a prefix found on the line itself.
 */
export function parseLogLine(line: string, fallbackTimestamp?: string | number | null): ParsedLogLine {
  let text = line
  let fallback = fallbackTimestamp
  if (text.charCodeAt(0) !== OPEN_BRACE) {
    const prefix = parseDockerTimestamp(text)
    if (prefix !== null) {
      fallback = prefix.timestamp
      text = text.slice(prefix.textStart)
    }
    // Indentation is harmless; anything else before the brace is not a JSON object.
    text = text.trimStart()
    if (text.charCodeAt(0) !== OPEN_BRACE)
      return text.length > 0 && isJsonScalarStart(text.charCodeAt(0)) ? parseNonObject(text) : UNPARSED_LINES.notJson
  }

  // A cut-off line (a truncated log, a partial write) cannot be an object. Refusing it here spares
  // JSON.parse's exception, which costs some 25 µs a line: half a minute over a million such lines.
  if (lastNonBlankCode(text) !== CLOSE_BRACE) return UNPARSED_LINES.notJson

  let record: unknown
  try {
    record = JSON.parse(text)
  } catch {
    return UNPARSED_LINES.notJson
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return UNPARSED_LINES.notObject
  return readEvent(record as Record<string, unknown>, fallback)
}

function readEvent(record: Record<string, unknown>, fallback: string | number | null | undefined): ParsedLogLine {
  const timestamp = record.timestamp
  let timestampMs: number
  if (timestamp === undefined || timestamp === null) {
    if (fallback === undefined || fallback === null) return UNPARSED_LINES.noTimestamp
    timestampMs = typeof fallback === 'number' ? fallback : parseLogTimestampMs(fallback)
    if (!Number.isFinite(timestampMs)) return UNPARSED_LINES.noTimestamp
  } else {
    if (typeof timestamp !== 'string') return UNPARSED_LINES.badTimestamp
    timestampMs = parseLogTimestampMs(timestamp)
    if (timestampMs !== timestampMs) return UNPARSED_LINES.badTimestamp
  }

  const eventType = record.event_type
  if (typeof eventType !== 'string' || eventType === '') return UNPARSED_LINES.noEventType

  const statusCode = record.status_code
  const durationMs = record.duration_ms
  const isApiCall = eventType === 'API_CALL'
  if (isApiCall) {
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode)) return UNPARSED_LINES.noStatusCode
    if (typeof durationMs !== 'number' || !(durationMs >= 0) || durationMs === Infinity)
      return UNPARSED_LINES.noDuration
  }

  const flags = record.flags
  const enabled = record.enabled
  return {
    kind: 'event',
    timestampMs,
    eventType,
    userId: userIdOf(record.user_id),
    statusCode: typeof statusCode === 'number' && Number.isInteger(statusCode) ? statusCode : null,
    durationMs: typeof durationMs === 'number' && Number.isFinite(durationMs) ? durationMs : null,
    endpoint: stringOrNull(record.endpoint),
    method: stringOrNull(record.method),
    flags:
      typeof flags === 'object' && flags !== null && !Array.isArray(flags) ? (flags as Record<string, unknown>) : null,
    flag: stringOrNull(record.flag),
    enabled: typeof enabled === 'boolean' ? enabled : null,
    reason: stringOrNull(record.reason),
    errorType: stringOrNull(record.error_type),
    message: stringOrNull(record.message)
  }
}

/** A user id as the flag rules see it: numbers as written, empty as absent. */
function userIdOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** The last character that is not JSON white space (space, tab, LF, CR), or -1. */
function lastNonBlankCode(text: string): number {
  for (let index = text.length - 1; index >= 0; index--) {
    const code = text.charCodeAt(index)
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return code
  }
  return -1
}

// A line such as `42` or `"text"` is valid JSON, just not an event: worth telling apart from
// plain text when an operator asks why lines were not counted.
function isJsonScalarStart(code: number): boolean {
  return (
    code === 34 ||
    code === 91 ||
    code === 45 ||
    (code >= 48 && code <= 57) ||
    code === 116 ||
    code === 102 ||
    code === 110
  )
}

function parseNonObject(text: string): UnparsedLine {
  try {
    JSON.parse(text)
    return UNPARSED_LINES.notObject
  } catch {
    return UNPARSED_LINES.notJson
  }
}
