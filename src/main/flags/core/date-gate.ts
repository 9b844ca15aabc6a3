/**
 * Parsing of a flag's `start_date` / `end_date` into the instant the gate opens or closes.
 * Accepts what `DateGateSchema` accepts: a date-only `YYYY-MM-DD`, or a full ISO 8601
 * timestamp with seconds and a zone (`Z` or `±hh:mm`). Malformed input is reported as a
 * result, not thrown, so callers can name the field and file it came from.
 */

export type DateGateEdge = 'start' | 'end'

export type DateGateResult = { ok: true; epochMs: number | null } | { ok: false; message: string }

export type InstantResult = { ok: true; epochMs: number } | { ok: false; message: string }

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/

const MS_PER_MINUTE = 60_000
const MS_PER_DAY = 86_400_000
// Date.UTC reads years 0..99 as 1900..1999; a 400-year Gregorian cycle has exactly this many days.
const DAYS_PER_400_YEARS = 146_097

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
]

const EXPECTED_SHAPE =
  'expected a date YYYY-MM-DD (e.g. 2025-10-27) or an ISO 8601 timestamp with seconds and a zone ' +
  '(e.g. 2025-10-27T09:30:00Z or 2025-10-27T09:30:00+02:00)'

/**
 * The instant a gate opens (`start`) or closes (`end`), in epoch milliseconds; null when
 * there is no gate (null, undefined or empty). A date-only start opens at 00:00:00.000Z of
 * that day; a date-only end closes at 23:59:59.999Z, so the end day is included.
 */
export function parseDateGate(value: string | null | undefined, edge: DateGateEdge): DateGateResult {
  if (value === null || value === undefined || value === '') return { ok: true, epochMs: null }

  const dateOnly = DATE_ONLY.exec(value)
  if (dateOnly) {
    const year = Number(dateOnly[1])
    const month = Number(dateOnly[2])
    const day = Number(dateOnly[3])
    const problem = calendarProblem(year, month, day)
    if (problem) return { ok: false, message: `"${value}" is not a real date: ${problem}` }
    const dayStart = utcEpochMs(year, month, day, 0, 0, 0, 0)
    return { ok: true, epochMs: edge === 'start' ? dayStart : dayStart + MS_PER_DAY - 1 }
  }

  if (TIMESTAMP.test(value)) return parseTimestamp(value, edge)
  return { ok: false, message: `"${value}" is not a date gate: ${EXPECTED_SHAPE}` }
}

/** A full ISO 8601 timestamp with seconds and a zone, e.g. an `--at` argument, in epoch ms. */
export function parseInstant(value: string): InstantResult {
  if (!TIMESTAMP.test(value)) {
    return {
      ok: false,
      message:
        `"${value}" is not an ISO 8601 timestamp: ` + 'expected e.g. 2025-10-27T09:30:00Z or 2025-10-27T09:30:00+02:00'
    }
  }
  return parseTimestamp(value, 'end')
}

function parseTimestamp(value: string, edge: DateGateEdge): InstantResult {
  const match = TIMESTAMP.exec(value)!
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const fraction = match[7] ?? ''
  const zone = match[8]!

  const problem =
    calendarProblem(year, month, day) ??
    (hour > 23 ? `hour ${match[4]} is out of range 00..23` : null) ??
    (minute > 59 ? `minute ${match[5]} is out of range 00..59` : null) ??
    (second > 59 ? `second ${match[6]} is out of range 00..59` : null) ??
    offsetProblem(match[10], match[11])
  if (problem) return { ok: false, message: `"${value}" is not a real timestamp: ${problem}` }

  // Gates compare against whole milliseconds. Rounding a sub-millisecond start up and a
  // sub-millisecond end down keeps "before start" and "after end" exact for every instant.
  let millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
  if (edge === 'start' && /[1-9]/.test(fraction.slice(3))) millis += 1

  const local = utcEpochMs(year, month, day, hour, minute, second, millis)
  if (zone === 'Z') return { ok: true, epochMs: local }
  const offsetMinutes = (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11]))
  return { ok: true, epochMs: local - offsetMinutes * MS_PER_MINUTE }
}

/** Why year-month-day is not a day of the Gregorian calendar, or null when it is. */
function calendarProblem(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `month ${String(month).padStart(2, '0')} is out of range 01..12`
  const daysInMonth = new Date(utcEpochMs(year, month + 1, 1, 0, 0, 0, 0) - MS_PER_DAY).getUTCDate()
  if (day < 1 || day > daysInMonth) {
    const shownDay = String(day).padStart(2, '0')
    return `day ${shownDay} does not exist: ${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth} days`
  }
  return null
}

function offsetProblem(hours: string | undefined, minutes: string | undefined): string | null {
  if (hours === undefined || minutes === undefined) return null
  if (Number(hours) > 23) return `zone offset hours ${hours} are out of range 00..23`
  if (Number(minutes) > 59) return `zone offset minutes ${minutes} are out of range 00..59`
  return null
}

/** Epoch ms of a UTC wall-clock time; month is 1-based and may be 13 (January of the next year). */
function utcEpochMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number
): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis)
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - DAYS_PER_400_YEARS * MS_PER_DAY
}
