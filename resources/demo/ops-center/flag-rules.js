'use strict'
/**
 * The flag rules of Rampart's core (src/main/core/flag-evaluation.ts, flag-bucket.ts, murmur3.ts,
 * date-gate.ts) in plain JavaScript, because the demo service runs in a bare Node container with no
 * build step and no dependencies. test/resources/demo-flag-rules.test.ts proves the two agree on
 * every rule, reason and bucket; change both or neither.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

/** MurmurHash3 x86_32 of the UTF-8 bytes of `text` (lone surrogates become U+FFFD), unsigned. */
function murmur3x86_32(text, seed) {
  const bytes = Buffer.from(text, 'utf8')
  const length = bytes.length
  let h = (seed || 0) >>> 0
  const blockEnd = length & ~3
  let i = 0
  for (; i < blockEnd; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  const tail = length & 3
  if (tail !== 0) {
    let k = 0
    if (tail === 3) k ^= bytes[i + 2] << 16
    if (tail >= 2) k ^= bytes[i + 1] << 8
    k ^= bytes[i]
    k = Math.imul(k, C1)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, C2)
    h ^= k
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** 1..100: Unleash's flexibleRollout normalisation with groupId = flag; the id is hashed exactly as given. */
function flagBucket(flag, user) {
  return (murmur3x86_32(`${flag}:${user}`, 0) % 100) + 1
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/
const MS_PER_MINUTE = 60000
const MS_PER_DAY = 86400000
// Date.UTC reads years 0..99 as 1900..1999; 400 Gregorian years are exactly this many days.
const DAYS_PER_400_YEARS = 146097

function utcEpochMs(year, month, day, hour, minute, second, millis) {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, millis)
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - DAYS_PER_400_YEARS * MS_PER_DAY
}

function isCalendarDay(year, month, day) {
  if (month < 1 || month > 12) return false
  const daysInMonth = new Date(utcEpochMs(year, month + 1, 1, 0, 0, 0, 0) - MS_PER_DAY).getUTCDate()
  return day >= 1 && day <= daysInMonth
}

/**
 * The instant a gate opens ('start') or closes ('end') in epoch ms, null for no gate (null or ''),
 * undefined when the text is not a real date or timestamp. A date-only end closes at 23:59:59.999Z so
 * the end day is included; a sub-millisecond start rounds up and a sub-millisecond end rounds down.
 */
function dateGateInstant(value, edge) {
  if (value === null || value === undefined || value === '') return null
  const dateOnly = DATE_ONLY.exec(value)
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1, 4).map(Number)
    if (!isCalendarDay(year, month, day)) return undefined
    const dayStart = utcEpochMs(year, month, day, 0, 0, 0, 0)
    return edge === 'start' ? dayStart : dayStart + MS_PER_DAY - 1
  }
  const match = TIMESTAMP.exec(value)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined
  if (match[10] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) return undefined
  const fraction = match[7] || ''
  let millis = Number(fraction.slice(0, 3).padEnd(3, '0'))
  if (edge === 'start' && /[1-9]/.test(fraction.slice(3))) millis += 1
  const local = utcEpochMs(year, month, day, hour, minute, second, millis)
  if (match[8] === 'Z') return local
  const offsetMinutes = (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11]))
  return local - offsetMinutes * MS_PER_MINUTE
}

function normaliseListEntry(id) {
  return id.trim().toLowerCase()
}

function listSet(ids) {
  const set = new Set()
  for (const id of ids || []) {
    const normalised = normaliseListEntry(id)
    // A blank entry must not match a blank user id.
    if (normalised !== '') set.add(normalised)
  }
  return set
}

function gateOrThrow(flag, field, value, edge) {
  const instant = dateGateInstant(value, edge)
  if (instant === undefined) {
    throw new Error(
      `flag ${flag}: ${field} ${JSON.stringify(value)} ` +
        'is not a date YYYY-MM-DD or an ISO 8601 timestamp with seconds and a zone'
    )
  }
  return instant
}

/**
 * Prepares a flag's state (the API's `config` shape) for evaluating many users; returns
 * (user, atEpochMs) => { enabled, reason, bucket }. First rule that applies wins: disabled,
 * blacklisted, whitelisted, before_start, after_end, no user (in only at 100), bucket within the
 * percentage, otherwise outside the rollout.
 */
function compileFlag(flag, state) {
  const percentage = state.rollout_percentage
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
    throw new Error(`flag ${flag}: rollout_percentage ${String(percentage)} is not a whole percentage 0..100`)
  }
  const startMs = gateOrThrow(flag, 'start_date', state.start_date, 'start')
  const endMs = gateOrThrow(flag, 'end_date', state.end_date, 'end')
  const blacklist = listSet(state.blacklist_users)
  const whitelist = listSet(state.whitelist_users)
  const enabled = state.enabled === true

  return (user, atEpochMs) => {
    // An empty id counts as no id, as in Unleash SDKs.
    const present = user !== null && user !== undefined && user !== ''
    const bucket = present ? flagBucket(flag, user) : null
    if (!enabled) return { enabled: false, reason: 'disabled', bucket }
    if (present && (blacklist.size > 0 || whitelist.size > 0)) {
      const listed = normaliseListEntry(user)
      if (blacklist.has(listed)) return { enabled: false, reason: 'blacklisted', bucket }
      if (whitelist.has(listed)) return { enabled: true, reason: 'whitelisted', bucket }
    }
    if (startMs !== null && atEpochMs < startMs) return { enabled: false, reason: 'before_start', bucket }
    if (endMs !== null && atEpochMs > endMs) return { enabled: false, reason: 'after_end', bucket }
    if (bucket === null) {
      return percentage === 100
        ? { enabled: true, reason: 'in_rollout', bucket }
        : { enabled: false, reason: 'outside_rollout', bucket }
    }
    if (percentage > 0 && bucket <= percentage) return { enabled: true, reason: 'in_rollout', bucket }
    return { enabled: false, reason: 'outside_rollout', bucket }
  }
}

function evaluateFlag(flag, state, user, atEpochMs) {
  return compileFlag(flag, state)(user, atEpochMs)
}

module.exports = { murmur3x86_32, flagBucket, dateGateInstant, compileFlag, evaluateFlag }
