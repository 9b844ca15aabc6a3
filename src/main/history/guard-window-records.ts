import type { GuardWindowRecord } from '@shared/history-types'
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
          `INSERT INTO guard_windows (flag, environment, window_start, window_seconds, decision, figures, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`
        )
        .run(input.flag, input.environment, input.windowStart, input.windowSeconds, input.decision, figures, recordedAt)
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
    return rows.map((row) => ({
      id: row.id,
      flag: row.flag,
      environment: row.environment,
      windowStart: row.window_start,
      windowSeconds: row.window_seconds,
      decision: row.decision,
      figures: parseJson(row.figures),
      recordedAt: row.recorded_at
    }))
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
