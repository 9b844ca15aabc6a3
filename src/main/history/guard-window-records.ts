import type { GuardWindowRecord } from '@shared/history-types'
import type { AggregatedWindows, WindowSummary } from '@shared/review-types'
import { canonicalJson } from './core/history-chain'
import type { HistoryFile } from './history-file'
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

/** A rollout's windows: its flag and environment, from an instant, until one (null: the newest). */
export interface WindowRange {
  flag: string
  environment: string
  from: string
  until: string | null
}

const RANGE_CONDITION = 'flag = ? AND environment = ? AND window_start >= ? AND (? IS NULL OR window_start <= ?)'

const FIGURE_COLUMNS = 'treatment_error_rate, treatment_p95_ms, control_p95_ms'

function rangeParams(range: WindowRange): unknown[] {
  return [range.flag, range.environment, range.from, range.until, range.until]
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
    const windows = this.countWindows(range)
    const windowsPerPoint = Math.max(1, Math.ceil(windows / Math.max(1, maxPoints)))
    const rows = this.file.write('read guard windows from', () =>
      this.file.db
        .prepare<unknown[], AggregatedWindows>(
          `SELECT MIN(window_start) AS windowStart,
             MAX(treatment_error_rate) AS treatmentErrorRate,
             MAX(treatment_p95_ms) AS treatmentP95Ms,
             MAX(control_p95_ms) AS controlP95Ms,
             MAX(CASE decision WHEN 'trip' THEN 3 WHEN 'breach' THEN 2 WHEN 'hold' THEN 1 ELSE 0 END) AS severity
           FROM (
             SELECT (row_number() OVER (ORDER BY window_start) - 1) / CAST(? AS INTEGER) AS bucket, window_start,
               decision, ${FIGURE_COLUMNS}
             FROM guard_windows WHERE ${RANGE_CONDITION} ORDER BY window_start
           ) GROUP BY bucket ORDER BY bucket`
        )
        .all(windowsPerPoint, ...rangeParams(range))
    )
    return { points: rows, windows, windowsPerPoint }
  }

  /** How a rollout's windows in the range were decided, and their worst figures, counted on the index. */
  windowSummary(range: WindowRange): WindowSummary {
    const row = this.file.db
      .prepare<unknown[], WindowSummary>(
        `SELECT COUNT(*) AS windows,
           SUM(decision = 'pass') AS pass, SUM(decision = 'hold') AS hold,
           SUM(decision = 'breach') AS breach, SUM(decision = 'trip') AS trip,
           MAX(treatment_error_rate) AS maxTreatmentErrorRate, MAX(treatment_p95_ms) AS maxTreatmentP95Ms,
           MIN(window_start) AS first, MAX(window_start) AS last
         FROM guard_windows WHERE ${RANGE_CONDITION}`
      )
      .get(...rangeParams(range))
    return {
      windows: row?.windows ?? 0,
      pass: row?.pass ?? 0,
      hold: row?.hold ?? 0,
      breach: row?.breach ?? 0,
      trip: row?.trip ?? 0,
      maxTreatmentErrorRate: row?.maxTreatmentErrorRate ?? null,
      maxTreatmentP95Ms: row?.maxTreatmentP95Ms ?? null,
      first: row?.first ?? null,
      last: row?.last ?? null
    }
  }

  /** How many windows a rollout has in the range, counted on the index. */
  countWindows(range: WindowRange): number {
    return (
      this.file.db
        .prepare<unknown[], { count: number }>(`SELECT COUNT(*) AS count FROM guard_windows WHERE ${RANGE_CONDITION}`)
        .get(...rangeParams(range))?.count ?? 0
    )
  }

  /** A rollout's newest window in the range (null when it has none): read from the end of the index, not paged to. */
  newestWindow(range: WindowRange): GuardWindowRecord | null {
    const row = this.file.db
      .prepare<unknown[], GuardWindowRow>(
        `SELECT id, flag, environment, window_start, window_seconds, decision, figures, recorded_at
         FROM guard_windows WHERE ${RANGE_CONDITION} ORDER BY window_start DESC, id DESC LIMIT 1`
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
           FROM guard_windows WHERE ${RANGE_CONDITION} ORDER BY window_start, id LIMIT ? OFFSET ?`
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
