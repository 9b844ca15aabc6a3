import type { LogLine } from '@shared/log-line'

/** A log line as the JSON mode shows it: its time, its level or event type, its message, then the rest. */
export interface ReadableLogLine {
  /** `HH:MM:SS.mmmZ` (UTC, as Docker's stamps), or null when the line says no time. */
  time: string | null
  level: string | null
  message: string | null
  /** The other fields, in the line's order, values as compact JSON where they are not plain text. */
  fields: Array<[string, string]>
  /** How loud to show it: from the level, the event type, an HTTP status, or stderr. */
  severity: 'error' | 'warning' | 'normal'
  /** False when the line is no JSON object: then `text` is shown as it came. */
  json: boolean
  text: string
}

const TIME_KEYS = ['timestamp', 'time', 'ts', '@timestamp']
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'event_type']
const MESSAGE_KEYS = ['message', 'msg', 'error']
// An API call says what it was in its own fields: "200 GET /api/x 12 ms".
const API_KEYS = ['status_code', 'method', 'endpoint', 'duration_ms']
const ERROR_WORDS = new Set(['ERROR', 'ERR', 'FATAL', 'CRITICAL', 'PANIC'])
const WARNING_WORDS = new Set(['WARN', 'WARNING'])

/** Reads one line for the JSON mode; a line that is no JSON object stays as it is. */
export function readableLogLine(line: LogLine): ReadableLogLine {
  const object = jsonObject(line.text)
  const stderr = line.stream === 'stderr'
  if (object === null) {
    return {
      time: timeOfDay(line.timestamp),
      level: null,
      message: null,
      fields: [],
      severity: stderr ? 'error' : 'normal',
      json: false,
      text: line.text
    }
  }
  const used = new Set<string>()
  const take = (keys: readonly string[]): string | null => {
    for (const key of keys) {
      const value = object[key]
      if (typeof value === 'string' || typeof value === 'number') {
        used.add(key)
        return String(value)
      }
    }
    return null
  }
  const time = timeOfDay(take(TIME_KEYS)) ?? timeOfDay(line.timestamp)
  const level = take(LEVEL_KEYS)?.toUpperCase() ?? null
  const message = take(MESSAGE_KEYS) ?? apiCallText(object, used)
  const fields = Object.entries(object)
    .filter(([key]) => !used.has(key))
    .map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)])
  return { time, level, message, fields, severity: severityOf(level, object, stderr), json: true, text: line.text }
}

/** The readable line as plain text: what the terminal shows without colours, and what a download holds. */
export function readableText(line: ReadableLogLine): string {
  const time = line.time === null ? '' : `${line.time} `
  if (!line.json) return `${time}${line.text}`
  const message = line.message === null ? '' : `  ${line.message}`
  const fields = line.fields.map(([key, value]) => `${key}=${value}`).join(' ')
  return `${time}${(line.level ?? '').padEnd(13)}${message}${fields === '' ? '' : `  ${fields}`}`
}

function jsonObject(text: string): Record<string, unknown> | null {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return null
  try {
    const value: unknown = JSON.parse(trimmed)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

function apiCallText(object: Record<string, unknown>, used: Set<string>): string | null {
  const present = API_KEYS.filter((key) => typeof object[key] === 'string' || typeof object[key] === 'number')
  if (present.length === 0) return null
  for (const key of present) used.add(key)
  const [status, method, endpoint, duration] = API_KEYS.map((key) => object[key])
  return [status, method, endpoint, duration === undefined ? undefined : `${String(duration)} ms`]
    .filter((part) => part !== undefined && part !== null)
    .map(String)
    .join(' ')
}

function severityOf(
  level: string | null,
  object: Record<string, unknown>,
  stderr: boolean
): ReadableLogLine['severity'] {
  const status = object.status_code
  if ((level !== null && ERROR_WORDS.has(level)) || (typeof status === 'number' && status >= 500)) return 'error'
  if ((level !== null && WARNING_WORDS.has(level)) || (typeof status === 'number' && status >= 400)) return 'warning'
  return stderr ? 'error' : 'normal'
}

/** An ISO time as `HH:MM:SS.mmmZ` in UTC; null when it is none. */
function timeOfDay(value: string | null): string | null {
  if (value === null) return null
  // A time without a zone is UTC (docs/design.md, structured log events), not the viewer's local time.
  const at = new Date(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value)
  if (Number.isNaN(at.getTime())) return null
  return `${at.toISOString().slice(11, 23)}Z`
}
