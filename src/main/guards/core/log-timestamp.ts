/**
 * The `timestamp` of a structured log line (and Docker's prefix), as epoch milliseconds.
 *
 * Accepted: `YYYY-MM-DD`, `T` (or a space), `HH:MM:SS`, an optional fraction (`.` or `,`, any
 * number of digits, cut to milliseconds) and an optional zone (`Z`, `±HH:MM`, `±HHMM`, `±HH`).
 * Without a zone the time is UTC: services that log `datetime.utcnow().isoformat()` write no
 * zone, and reading it as the reading machine's local time would move every window.
 *
 * Read with character codes rather than a regular expression or Date.parse: it runs once per
 * log line, and at a million lines Date.parse alone would cost a quarter of a second.
 */

const ZERO = 48
const DASH = 45
const COLON = 58
const PLUS = 43
const DOT = 46
const COMMA = 44
const UPPER_T = 84
const LOWER_T = 116
const SPACE = 32
const UPPER_Z = 90
const LOWER_Z = 122

const MS_PER_DAY = 86_400_000
const DAYS_PER_400_YEARS = 146_097
// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_DAY_OFFSET = 719_468

// Lines of one log share their date, hour and minute with the line before: the instant of
// `YYYY-MM-DDTHH:MM:` is kept and only the seconds onwards are read again.
let cachedMinutePrefix = ''
let cachedMinuteMs = 0

/** Epoch milliseconds, or NaN when `text` is not an ISO 8601 instant of the accepted forms. */
export function parseLogTimestampMs(text: string): number {
  const length = text.length
  if (length < 19) return NaN
  let minuteMs: number
  if (cachedMinutePrefix !== '' && text.startsWith(cachedMinutePrefix)) {
    minuteMs = cachedMinuteMs
  } else {
    minuteMs = parseMinuteMs(text)
    if (minuteMs !== minuteMs) return NaN
    cachedMinutePrefix = text.slice(0, 17)
    cachedMinuteMs = minuteMs
  }
  const second = digits(text, 17, 2)
  if (second < 0 || second > 59) return NaN

  let at = 19
  let millis = 0
  const mark = text.charCodeAt(at)
  if (mark === DOT || mark === COMMA) {
    at += 1
    const fractionStart = at
    while (at < length && isDigit(text.charCodeAt(at))) {
      // Only the first three digits count: Docker's nanoseconds are cut, not rounded, so a
      // line never moves into the next millisecond (or window).
      if (at - fractionStart < 3) millis = millis * 10 + (text.charCodeAt(at) - ZERO)
      at += 1
    }
    const fractionDigits = at - fractionStart
    if (fractionDigits === 0) return NaN
    if (fractionDigits === 1) millis *= 100
    else if (fractionDigits === 2) millis *= 10
  }

  let offsetMinutes = 0
  if (at < length) {
    const zone = text.charCodeAt(at)
    if (zone === UPPER_Z || zone === LOWER_Z) {
      at += 1
    } else if (zone === PLUS || zone === DASH) {
      const offset = parseOffsetMinutes(text, at + 1)
      if (offset === null) return NaN
      offsetMinutes = zone === PLUS ? offset.minutes : -offset.minutes
      at = offset.end
    } else {
      return NaN
    }
    if (at !== length) return NaN
  }

  return minuteMs + (second - offsetMinutes * 60) * 1000 + millis
}

/** The instant of `YYYY-MM-DDTHH:MM:` (zone not applied), or NaN. */
function parseMinuteMs(text: string): number {
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0) return NaN
  const separator = text.charCodeAt(10)
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return NaN
  }
  if (month > 12 || day > daysInMonth(year, month) || hour > 23 || minute > 59) return NaN
  return daysSinceEpoch(year, month, day) * MS_PER_DAY + (hour * 60 + minute) * 60_000
}

/** `HH:MM`, `HHMM` or `HH` after the sign. */
function parseOffsetMinutes(text: string, at: number): { minutes: number; end: number } | null {
  const hours = digits(text, at, 2)
  if (hours < 0 || hours > 23) return null
  let end = at + 2
  let minutes = 0
  if (end < text.length) {
    if (text.charCodeAt(end) === COLON) end += 1
    minutes = digits(text, end, 2)
    if (minutes < 0 || minutes > 59) return null
    end += 2
  }
  return { minutes: hours * 60 + minutes, end }
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digits(text: string, at: number, count: number): number {
  let value = 0
  for (let index = at; index < at + count; index += 1) {
    const code = text.charCodeAt(index)
    if (!isDigit(code)) return -1
    value = value * 10 + (code - ZERO)
  }
  return value
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Days from 1970-01-01 to the date, by the civil-calendar arithmetic (years counted from March). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year
  const era = Math.floor(marchYear / 400)
  const yearOfEra = marchYear - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * DAYS_PER_400_YEARS + dayOfEra - EPOCH_DAY_OFFSET
}
