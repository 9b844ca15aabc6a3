import { RampartError } from '@shared/errors'
import type { GuardWindowRecord, HistoryEvent } from '@shared/history-types'
import type { RunbookRunView } from '@shared/runbook-types'
import type { GuardChartView, ReviewFilter, RolloutDetailView, RolloutSummaryView } from '@shared/review-types'
import type { WindowRange } from '@main/history/guard-window-hours'
import type { HistoryStore } from '@main/history/history-store'
import { chartPointsOf, thresholdsOf } from './core/guard-chart'
import { matchesFilter } from './core/review-filter'
import { rolloutEpisodes, type RolloutEpisode } from './core/rollout-episodes'

/** Enough points for a chart across a wide screen; a longer rollout is downsampled to this. */
export const CHART_POINTS = 1_200
const DEFAULT_LIST_LIMIT = 500

/**
 * The reviewer's use cases, from the history file alone (no Docker, no Postgres): the rollouts
 * with their outcome, and one rollout's timeline and guard windows. Rollouts are cut from the
 * events (few); windows are read through the chart index, so a history holding a million of
 * them lists and loads at the pace of a fresh one.
 */
export class ReviewService {
  constructor(private readonly deps: { history: Pick<HistoryStore, 'events' | 'guardWindows' | 'runbooks'> }) {}

  /** Rollouts matching the filter, newest first. */
  rollouts(filter: ReviewFilter = {}): RolloutSummaryView[] {
    const events = this.deps.history.events.listEvents({
      ...(filter.flag === undefined ? {} : { flag: filter.flag }),
      ...(filter.environment === undefined ? {} : { environment: filter.environment })
    })
    return this.episodesOf(events)
      .filter((episode) => matchesFilter(episode, filter))
      .map((episode) => episode.summary)
      .sort((a, b) => b.id - a.id)
      .slice(0, filter.limit ?? DEFAULT_LIST_LIMIT)
  }

  /**
   * One rollout: every event, its guard windows as a chart (downsampled past CHART_POINTS), and
   * the runbook runs its events name, so a reviewer sees each step and how long it took.
   */
  rollout(id: number): RolloutDetailView {
    const episode = this.episode(id)
    const range = windowRange(episode)
    return {
      summary: episode.summary,
      events: episode.events,
      chart: this.chart(range),
      windowSummary: this.deps.history.guardWindows.windowSummary(range),
      runs: this.runsNamedBy(episode.events)
    }
  }

  /** One page of a rollout's windows, oldest first, for the table under the chart. */
  windows(id: number, page: { offset: number; limit: number }): { total: number; windows: GuardWindowRecord[] } {
    const range = windowRange(this.episode(id))
    return {
      total: this.deps.history.guardWindows.countWindows(range),
      windows: this.deps.history.guardWindows.pageWindows(range, page)
    }
  }

  /** Every rollout with its events, for a report (flag and environment narrow it). */
  episodes(filter: Pick<ReviewFilter, 'flag' | 'environment'> = {}): RolloutEpisode[] {
    return this.episodesOf(this.deps.history.events.listEvents(filter)).sort((a, b) => a.summary.id - b.summary.id)
  }

  chart(range: WindowRange): GuardChartView {
    const { guardWindows } = this.deps.history
    const { points, windows, windowsPerPoint } = guardWindows.chartPoints(range, CHART_POINTS)
    // The newest window says which thresholds the rollout is judged with now.
    const newest = windows === 0 ? null : guardWindows.newestWindow(range)
    return {
      points: chartPointsOf(points),
      windows,
      windowsPerPoint,
      thresholds: newest === null ? null : thresholdsOf(newest.figures)
    }
  }

  private runsNamedBy(events: readonly HistoryEvent[]): RunbookRunView[] {
    const runIds = new Set<number>()
    for (const event of events) {
      const runId = (event.detail as { runId?: unknown } | null)?.runId
      if (typeof runId === 'number') runIds.add(runId)
    }
    return [...runIds].sort((a, b) => a - b).flatMap((runId) => this.deps.history.runbooks.get(runId) ?? [])
  }

  private episode(id: number): RolloutEpisode {
    const first = this.deps.history.events.getEvent(id)
    if (first === undefined || first.flag === null || first.environment === null) {
      throw new RampartError('bad_input', `No rollout #${id} in the history file: no flag event has that number`)
    }
    const events = this.deps.history.events.listEvents({ flag: first.flag, environment: first.environment })
    const episode = rolloutEpisodes(events).find((candidate) => candidate.summary.id === id)
    if (episode === undefined) {
      throw new RampartError('bad_input', `No rollout starts at event #${id}; event #${id} is inside another one`)
    }
    return episode
  }

  private episodesOf(events: readonly HistoryEvent[]): RolloutEpisode[] {
    const byRollout = new Map<string, HistoryEvent[]>()
    for (const event of events) {
      if (event.flag === null || event.environment === null) continue
      const key = `${event.flag}\u0000${event.environment}`
      const group = byRollout.get(key) ?? []
      group.push(event)
      byRollout.set(key, group)
    }
    return [...byRollout.values()].flatMap((group) => rolloutEpisodes(group))
  }
}

/**
 * The windows that belong to a rollout: from its first event to its last move (to now while in
 * progress); for a replayed incident, the span of the log it replayed.
 */
export function windowRange(episode: RolloutEpisode): WindowRange {
  const { summary } = episode
  if (summary.outcome === 'replayed') {
    const detail = episode.events[0]!.detail as { firstWindow?: unknown; lastWindow?: unknown } | null
    return {
      flag: summary.flag,
      environment: summary.environment,
      from: typeof detail?.firstWindow === 'string' ? detail.firstWindow : '',
      until: typeof detail?.lastWindow === 'string' ? detail.lastWindow : null
    }
  }
  return { flag: summary.flag, environment: summary.environment, from: summary.startedAt, until: summary.endedAt }
}
