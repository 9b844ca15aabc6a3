import type { CohortFigures } from '@main/guards/core/guard-decision'
import type { GuardCounts, GuardWindow } from '@main/guards/core/guard-engine'
import type { GuardReplaySummary } from '@main/guards/core/guard-replay-summary'

/** Guard windows as people read them (`guards replay` and `guards watch` without --json). */

export const GUARD_TABLE_HEADER = [
  'window start'.padEnd(24),
  columns('treatment req', 'fail', 'err %', 'p95 ms'),
  columns('control req', 'fail', 'err %', 'p95 ms'),
  'decision',
  'reasons'
].join('  ')

export function formatGuardWindowRow(window: GuardWindow): string {
  const decision = window.decision === 'trip' ? 'TRIP' : window.decision
  return [
    new Date(window.windowStartMs).toISOString(),
    cohortColumns(window.treatment),
    cohortColumns(window.control),
    decision.padEnd(8),
    window.reasons.join('; ')
  ].join('  ')
}

export function describeGuardVerdict(summary: GuardReplaySummary, counts: GuardCounts): string[] {
  const verdict =
    summary.verdict === 'trip'
      ? `TRIP (first in the window from ${new Date(summary.firstTripWindowMs!).toISOString()})`
      : summary.verdict === 'pass'
        ? 'pass (no window tripped)'
        : 'hold (no window had min_requests treatment requests)'
  const lines = [`verdict: ${verdict}; ${summary.windows} windows from ${counts.lines} lines`]
  const notes: string[] = []
  if (summary.unparsedLines > 0) notes.push(`${summary.unparsedLines} unparsed lines`)
  if (counts.late > 0)
    notes.push(`${counts.late} API_CALL events arrived after their window was decided (late) and were left out`)
  if (counts.unattributed > 0)
    notes.push(`${counts.unattributed} API_CALL events in neither cohort (no flags, no user id or no flag state)`)
  if (notes.length > 0) lines.push(`note: ${notes.join('; ')}`)
  return lines
}

function cohortColumns(figures: CohortFigures): string {
  const rate = figures.errorRate === null ? '-' : `${(figures.errorRate * 100).toFixed(2)}%`
  const p95 = figures.p95Ms === null ? '-' : String(Number(figures.p95Ms.toFixed(1)))
  return columns(String(figures.requests), String(figures.failures), rate, p95)
}

function columns(requests: string, failures: string, rate: string, p95: string): string {
  return `${requests.padStart(13)} ${failures.padStart(6)} ${rate.padStart(7)} ${p95.padStart(9)}`
}
