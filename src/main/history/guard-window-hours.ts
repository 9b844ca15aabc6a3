import type { Database } from 'better-sqlite3'
import type { AggregatedWindows, WindowSummary } from '@shared/review-types'
import { SEVERITY_SQL } from './history-schema'

/** A rollout's windows: its flag and environment, from an instant, until one (null: the newest). */
export interface WindowRange {
  flag: string
  environment: string
  from: string
  until: string | null
}

/** The windows of one hour that fall in a range: how many, how they were decided, their worst figures. */
export interface WindowHour {
  hour: string
  windows: number
  pass: number
  hold: number
  breach: number
  trip: number
  severity: number
  treatmentErrorRate: number | null
  treatmentP95Ms: number | null
  controlP95Ms: number | null
  first: string
  last: string
}

const HOUR_COLUMNS = `COUNT(*) AS windows, SUM(decision = 'pass') AS pass, SUM(decision = 'hold') AS hold,
  SUM(decision = 'breach') AS breach, SUM(decision = 'trip') AS trip, MAX(${SEVERITY_SQL}) AS severity,
  MAX(treatment_error_rate) AS treatmentErrorRate, MAX(treatment_p95_ms) AS treatmentP95Ms,
  MAX(control_p95_ms) AS controlP95Ms, MIN(window_start) AS first, MAX(window_start) AS last`

/** An instant as every stored window start is written (`toISOString`), so its first 13 characters are its hour. */
const ISO_HOUR = /^\d{4}-\d\d-\d\dT\d\d:/

/**
 * A range's windows hour by hour, oldest first: the hours wholly inside it from the hourly
 * rollup (`guard_window_hours`), the hour it starts in and the hour it ends in counted exactly
 * from the windows themselves, so a figure outside the range never leaks in. A bound not written
 * as a stored start is written is counted exactly throughout.
 */
export function windowHours(db: Database, range: WindowRange): WindowHour[] {
  // Only the bounds given are written into the query: a bound behind `? IS NULL OR …` is not one
  // SQLite can seek on, and the edge hour would be found by reading every later window.
  const exact = (from: string, below: string | null, until: string | null): WindowHour[] => {
    const bounds = [...(below === null ? [] : ['window_start < ?']), ...(until === null ? [] : ['window_start <= ?'])]
    return db
      .prepare<unknown[], WindowHour>(
        `SELECT substr(window_start, 1, 13) AS hour, ${HOUR_COLUMNS} FROM guard_windows
         WHERE flag = ? AND environment = ? AND window_start >= ?${bounds.map((bound) => ` AND ${bound}`).join('')}
         GROUP BY hour ORDER BY hour`
      )
      .all(range.flag, range.environment, from, ...(below === null ? [] : [below]), ...(until === null ? [] : [until]))
  }
  if (range.until !== null && range.until < range.from) return []
  if (!ISO_HOUR.test(range.from) || (range.until !== null && !ISO_HOUR.test(range.until))) {
    return exact(range.from, null, range.until)
  }
  const fromHour = range.from.slice(0, 13)
  const untilHour = range.until?.slice(0, 13) ?? null
  // ';' follows ':' in ASCII: every start within an hour sorts below `${hour};`.
  const first = exact(range.from, `${fromHour};`, range.until)
  if (untilHour === fromHour) return first
  const middle = db
    .prepare<unknown[], WindowHour>(
      `SELECT hour, windows, pass, hold, breach, trip, severity, treatment_error_rate AS treatmentErrorRate,
         treatment_p95_ms AS treatmentP95Ms, control_p95_ms AS controlP95Ms, first, last
       FROM guard_window_hours WHERE flag = ? AND environment = ? AND hour > ? AND (? IS NULL OR hour < ?)
       ORDER BY hour`
    )
    .all(range.flag, range.environment, fromHour, untilHour, untilHour)
  const last = untilHour === null ? [] : exact(untilHour, null, range.until)
  return [...first, ...middle, ...last]
}

function worst(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}

function addHour(merged: WindowHour, hour: WindowHour): WindowHour {
  return {
    hour: merged.hour,
    windows: merged.windows + hour.windows,
    pass: merged.pass + hour.pass,
    hold: merged.hold + hour.hold,
    breach: merged.breach + hour.breach,
    trip: merged.trip + hour.trip,
    severity: Math.max(merged.severity, hour.severity),
    treatmentErrorRate: worst(merged.treatmentErrorRate, hour.treatmentErrorRate),
    treatmentP95Ms: worst(merged.treatmentP95Ms, hour.treatmentP95Ms),
    controlP95Ms: worst(merged.controlP95Ms, hour.controlP95Ms),
    first: merged.first < hour.first ? merged.first : hour.first,
    last: merged.last > hour.last ? merged.last : hour.last
  }
}

/** Neighbouring hours as one: their counts added, their worst figures and decision kept. */
function mergeHours(hours: readonly WindowHour[]): WindowHour | null {
  const [head, ...rest] = hours
  return head === undefined ? null : rest.reduce(addHour, head)
}

/** What a range's hours add up to, for the review's summary line. */
export function summaryOfHours(hours: readonly WindowHour[]): WindowSummary {
  const all = mergeHours(hours)
  return {
    windows: all?.windows ?? 0,
    pass: all?.pass ?? 0,
    hold: all?.hold ?? 0,
    breach: all?.breach ?? 0,
    trip: all?.trip ?? 0,
    maxTreatmentErrorRate: all?.treatmentErrorRate ?? null,
    maxTreatmentP95Ms: all?.treatmentP95Ms ?? null,
    first: all?.first ?? null,
    last: all?.last ?? null
  }
}

/** At most `maxPoints` chart points from at least as many hours: neighbouring hours merged, the worst kept. */
export function pointsOfHours(hours: readonly WindowHour[], maxPoints: number): AggregatedWindows[] {
  const perPoint = Math.max(1, Math.ceil(hours.length / Math.max(1, maxPoints)))
  const points: AggregatedWindows[] = []
  for (let index = 0; index < hours.length; index += perPoint) {
    const merged = mergeHours(hours.slice(index, index + perPoint))!
    points.push({
      windowStart: merged.first,
      treatmentErrorRate: merged.treatmentErrorRate,
      treatmentP95Ms: merged.treatmentP95Ms,
      controlP95Ms: merged.controlP95Ms,
      severity: merged.severity
    })
  }
  return points
}
