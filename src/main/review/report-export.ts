import type { GuardWindowRecord, HistoryEvent } from '@shared/history-types'
import type { HistoryStore } from '@main/history/history-store'
import { renderHtmlReport } from './core/html-report'
import { renderMarkdownReport } from './core/markdown-report'
import type { ReportModel } from './core/report-model'
import { windowRange, type ReviewService } from './review-service'

export const REPORT_FORMATS = ['md', 'html', 'jsonl'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface ReportScope {
  flag?: string
  environment?: string
}

export interface ReportCounts {
  events: number
  windows: number
}

/**
 * Writes a report of the history file in one of three formats, each stating the chain's head and
 * whether it verified: Markdown and HTML (self-contained, inline SVG charts) per rollout, or JSON
 * lines with every event and every stored window, streamed so a million windows are never held.
 */
export class ReportExport {
  constructor(
    private readonly deps: { review: ReviewService; history: Pick<HistoryStore, 'events' | 'guardWindows'> }
  ) {}

  async write(
    format: ReportFormat,
    scope: ReportScope,
    now: Date,
    write: (chunk: string) => void | Promise<void>
  ): Promise<ReportCounts> {
    if (format === 'jsonl') return this.writeJsonLines(scope, now, write)
    const model = this.model(scope, now)
    await write(format === 'md' ? renderMarkdownReport(model) : renderHtmlReport(model))
    return {
      events: model.rollouts.reduce((count, rollout) => count + rollout.events.length, model.otherEvents.length),
      windows: model.rollouts.reduce((count, rollout) => count + rollout.windowSummary.windows, 0)
    }
  }

  model(scope: ReportScope, now: Date): ReportModel {
    const { events } = this.deps.history
    const rollouts = this.deps.review.episodes(scope).map((episode) => {
      const range = windowRange(episode)
      return {
        summary: episode.summary,
        events: episode.events,
        chart: this.deps.review.chart(range),
        windowSummary: this.deps.history.guardWindows.windowSummary(range)
      }
    })
    const unscoped = scope.flag === undefined && scope.environment === undefined
    return {
      generatedAt: now,
      scope: scopeText(scope),
      chain: events.verify(),
      head: events.head(),
      rollouts,
      otherEvents: unscoped ? events.listEvents().filter((event) => event.flag === null) : []
    }
  }

  private async writeJsonLines(
    scope: ReportScope,
    now: Date,
    write: (chunk: string) => void | Promise<void>
  ): Promise<ReportCounts> {
    const { events, guardWindows } = this.deps.history
    const chain = events.verify()
    const header = {
      kind: 'chain',
      generated_at: now.toISOString(),
      scope: scopeText(scope),
      head: events.head(),
      verification: chain
    }
    await write(`${JSON.stringify(header)}\n`)
    const listed = events.listEvents(scope)
    for (const event of listed) await write(`${JSON.stringify(event satisfies HistoryEvent)}\n`)
    let windows = 0
    for (const window of guardWindows.eachWindow(scope)) {
      windows += 1
      await write(`${JSON.stringify(guardWindowLine(window))}\n`)
    }
    return { events: listed.length, windows }
  }
}

/** One stored window as the report's line: the replay format's fields, with its flag and environment. */
function guardWindowLine(window: GuardWindowRecord): object {
  const figures = (window.figures ?? {}) as Record<string, unknown>
  return {
    kind: 'guard_window',
    flag: window.flag,
    environment: window.environment,
    window_start: window.windowStart,
    treatment: figures.treatment ?? null,
    control: figures.control ?? null,
    decision: window.decision,
    reasons: Array.isArray(figures.reasons) ? figures.reasons : []
  }
}

function scopeText(scope: ReportScope): string {
  if (scope.flag === undefined && scope.environment === undefined) return 'every flag and environment'
  return [
    scope.flag === undefined ? 'every flag' : `flag ${scope.flag}`,
    scope.environment === undefined ? 'every environment' : `environment ${scope.environment}`
  ].join(', ')
}
