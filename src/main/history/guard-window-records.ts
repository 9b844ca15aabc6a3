import type { GuardWindowRecord } from '@shared/history-types'
import type { AggregatedWindows, WindowSummary } from '@shared/review-types'
import { canonicalJson } from './core/history-chain'
import { pointsOfHours, summaryOfHours, windowHours, type WindowRange } from './guard-window-hours'
import type { HistoryFile } from './history-file'
import { SEVERITY_SQL } from './history-schema'
import { parseJson } from './history-values'

export interface NewGuardWindow {
  flag: string
  environment: string
  windowStart: string
  windowSeconds: number
  decision: string
  figures: unknown
}

interface GuardWindowRow {
  id: number
  flag: string
  environment: string
  window_start: string
  window_seconds: number
  decision: string
  figures: string
  recorded_at: string
}

/**
 * A rollout's windows as a WHERE clause. The upper bound is written only when there is one: behind
 * `? IS NULL OR …` SQLite could not seek on it, and a range would read every later window.
 */
function rangeCondition(range: WindowRange): string {
  return `flag = ? AND environment = ? AND window_start >= ?${range.until === null ? '' : ' AND window_start <= ?'}`
}

const FIGURE_COLUMNS = 'treatment_error_rate, treatment_p95_ms, control_p95_ms'

function rangeParams(range: WindowRange): unknown[] {
  return [range.flag, range.environment, range.from, ...(range.until === null ? [] : [range.until])]
}

function fromRow(row: GuardWindowRow): GuardWindowRecord {
  return {
    id: row.id,
    flag: row.flag,
    environment: row.environment,
    windowStart: row.window_start,
    windowSeconds: row.window_seconds,
    decision: row.decision,
    figures: parseJson(row.figures),
    recordedAt: row.recorded_at
  }
}

/** The figures a chart reads, taken out of the window's figures when it is stored. */
function chartFigures(figures: unknown): [number | null, number | null, number | null] {
  const cohort = (name: 'treatment' | 'control', field: 'error_rate' | 'p95_ms'): number | null => {
    const value = (figures as Record<string, Record<string, unknown> | undefined> | null)?.[name]?.[field]
    return typeof value === 'number' && Number.isFinite(value) ? value : null
  }
  return [cohort('treatment', 'error_rate'), cohort('treatment', 'p95_ms'), cohort('control', 'p95_ms')]
}

/**
 * The guard windows of each rollout: the figures and decision of every window a guard watch
 * judged. The table that grows fastest, so reads go through the rollout's index.
 */
export class GuardWindowRecords {
  constructor(private readonly file: HistoryFile) {}

  recordGuardWindow(input: NewGuardWindow): GuardWindowRecord {
    const recordedAt = this.file.now().toISOString()
    const figures = canonicalJson(input.figures) ?? 'null'
    const result = this.file.write('record a guard window in', () =>
      this.file.db
        .prepare(
          `INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at,
             treatment_error_rate, treatment_p95_ms, control_p95_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          input.flag,
          input.environment,
          input.windowStart,
          input.windowSeconds,
          input.decision,
          figures,
          recordedAt,
          ...chartFigures(input.figures)
        )
    )
    return {
      id: Number(result.lastInsertRowid),
      flag: input.flag,
      environment: input.environment,
      windowStart: input.windowStart,
      windowSeconds: input.windowSeconds,
      decision: input.decision,
      figures: parseJson(figures),
      recordedAt
    }
  }

  /**
   * Guard windows of one rollout in window order; with `since` (an ISO 8601 instant as
   * `toISOString` writes it, like every stored window start) only those starting at or after it,
   * read through the rollout's index, so a move costs the same with a year of windows on file.
   */
  listGuardWindows(flag: string, environment: string, filter: { since?: string } = {}): GuardWindowRecord[] {
    const since = filter.since === undefined ? '' : ' AND window_start >= ?'
    const params = filter.since === undefined ? [flag, environment] : [flag, environment, filter.since]
    // Guard windows are not checked at every open (see FULL_OPEN_CHECK_MAX_BYTES): damage shows here, named.
    const rows = this.file.write('read guard windows from', () =>
      this.file.db
        .prepare<string[], GuardWindowRow>(
          `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
           FROM guard_windows WHERE flag = ? AND environment = ?${since} ORDER BY window_start, id`
        )
        .all(...params)
    )
    return rows.map(fromRow)
  }

  /**
   * A rollout's windows from `from` until `until` (null: to the newest), as at most `maxPoints`
   * chart points: each point stands for `windowsPerPoint` neighbouring windows with their worst
   * figures and decision, so no breach or trip is lost when the chart cannot show every window.
   * Read from the chart index alone.
   */
  chartPoints(
    range: WindowRange,
    maxPoints: number
  ): { points: AggregatedWindows[]; windows: number; windowsPerPoint: number } {
    const hours = this.file.write('read guard windows from', () => windowHours(this.file.db, range))
    const windows = hours.reduce((sum, hour) => sum + hour.windows, 0)
    if (hours.length >= maxPoints) {
      // At least an hour per point: the hourly rollup holds every figure the chart can show.
      const points = pointsOfHours(hours, maxPoints)
      return { points, windows, windowsPerPoint: Math.ceil(windows / Math.max(1, points.length)) }
    }
    const windowsPerPoint = Math.max(1, Math.ceil(windows / Math.max(1, maxPoints)))
    const rows = this.file.write('read guard windows from', () =>
      this.file.db
        .prepare<unknown[], AggregatedWindows>(
          `SELECT MIN(window_start) AS windowStart,
             MAX(treatment_error_rate) AS treatmentErrorRate,
             MAX(treatment_p95_ms) AS treatmentP95Ms,
             MAX(control_p95_ms) AS controlP95Ms,
             MAX(${SEVERITY_SQL}) AS severity
           FROM (
             SELECT (row_number() OVER (ORDER BY window_start) - 1) / CAST(? AS INTEGER) AS bucket, window_start,
               decision, ${FIGURE_COLUMNS}
             FROM guard_windows WHERE ${rangeCondition(range)} ORDER BY window_start
           ) GROUP BY bucket ORDER BY bucket`
        )
        .all(windowsPerPoint, ...rangeParams(range))
    )
    return { points: rows, windows, windowsPerPoint }
  }

  /** How a rollout's windows in the range were decided, and their worst figures, from the hourly rollup. */
  windowSummary(range: WindowRange): WindowSummary {
    return summaryOfHours(this.file.write('read guard windows from', () => windowHours(this.file.db, range)))
  }

  /** How many windows a rollout has in the range, from the hourly rollup. */
  countWindows(range: WindowRange): number {
    return this.windowSummary(range).windows
  }

  /** A rollout's newest window in the range (null when it has none): read from the end of the index, not paged to. */
  newestWindow(range: WindowRange): GuardWindowRecord | null {
    const row = this.file.db
      .prepare<unknown[], GuardWindowRow>(
        `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
         FROM guard_windows WHERE ${rangeCondition(range)} ORDER BY window_start DESC, id DESC LIMIT 1`
      )
      .get(...rangeParams(range))
    return row === undefined ? null : fromRow(row)
  }

  /** One page of a rollout's windows in window order, for a table. */
  pageWindows(range: WindowRange, page: { offset: number; limit: number }): GuardWindowRecord[] {
    const rows = this.file.write('read guard windows from', () =>
      this.file.db
        .prepare<unknown[], GuardWindowRow>(
          `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
           FROM guard_windows WHERE ${rangeCondition(range)} ORDER BY window_start, id LIMIT ? OFFSET ?`
        )
        .all(...rangeParams(range), page.limit, page.offset)
    )
    return rows.map(fromRow)
  }

  /**
   * Every window (of one flag and environment when given) in flag, environment and window order,
   * one at a time, so an export of a million windows never holds them all.
   */
  *eachWindow(filter: { flag?: string; environment?: string } = {}): Generator<GuardWindowRecord> {
    const conditions = [
      ...(filter.flag === undefined ? [] : ['flag = @flag']),
      ...(filter.environment === undefined ? [] : ['environment = @environment'])
    ]
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
    const statement = this.file.db.prepare<Record<string, string>, GuardWindowRow>(
      `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
       FROM guard_windows ${where} ORDER BY flag, environment, window_start, id`
    )
    for (const row of statement.iterate({ ...filter })) yield fromRow(row)
  }

  /** When the rollout's newest guard window started, or null before its first; read from the index alone. */
  latestGuardWindowStart(flag: string, environment: string): string | null {
    const row = this.file.db
      .prepare<[string, string], { latest: string | null }>(
        'SELECT MAX(window_start) AS latest FROM guard_windows WHERE flag = ? AND environment = ?'
      )
      .get(flag, environment)
    return row?.latest ?? null
  }
}
