import type { ChainReport, HistoryEvent } from '@shared/history-types'
import type { GuardChartView, RolloutSummaryView, WindowSummary } from '@shared/review-types'

/** Everything a report shows, gathered once and rendered as Markdown or HTML. */
export interface ReportModel {
  generatedAt: Date
  /** What the report covers, in words ("all flags", "unified_llm_hub in staging"). */
  scope: string
  chain: ChainReport
  /** The chain's head as recorded in the file, so a later reader can tell whether it was cut. */
  head: { seq: number; hash: string }
  rollouts: ReportedRollout[]
  /** Events that belong to no flag (database operations, Docker actions). */
  otherEvents: HistoryEvent[]
}

export interface ReportedRollout {
  summary: RolloutSummaryView
  events: HistoryEvent[]
  chart: GuardChartView
  windowSummary: WindowSummary
}

/** The chain's state in one sentence, the same in every format. */
export function chainSentence(model: Pick<ReportModel, 'chain' | 'head'>): string {
  const head = `head #${model.head.seq} ${model.head.hash}`
  if (model.chain.ok) return `Chain verified: ${model.chain.count} event(s), ${head}.`
  const problems = model.chain.problems.map((problem) => `#${problem.seq} ${problem.kind}`).join(', ')
  return `Chain broken: ${problems}; ${head}. Entries may have been edited or removed.`
}

/** A flag state as exposure: "25%", "off (25%)". */
export function exposureText(state: unknown): string {
  if (typeof state !== 'object' || state === null) return ''
  const { enabled, rollout_percentage: percentage } = state as { enabled?: unknown; rollout_percentage?: unknown }
  if (enabled === false) return `off (${String(percentage ?? '?')}%)`
  return percentage === undefined ? '' : `${String(percentage)}%`
}

const OUTCOME_WORDS: Record<RolloutSummaryView['outcome'], string> = {
  completed: 'completed',
  rolled_back: 'rolled back',
  killed: 'killed',
  in_progress: 'in progress',
  replayed: 'replayed incident'
}

export function rolloutTitle(summary: RolloutSummaryView): string {
  return `Rollout #${summary.id}: ${summary.flag} in ${summary.environment} — ${OUTCOME_WORDS[summary.outcome]}`
}

export function rateText(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)} %`
}
