import type { ReviewFilter } from '@shared/review-types'
import type { RolloutEpisode } from './rollout-episodes'

/**
 * Whether a rollout is one the reviewer asked for: its flag and environment, its outcome, active
 * in the time span (started before `to`, still running or ended after `from`), and the search text
 * in its flag, environment, actors or any event's reason.
 */
export function matchesFilter(episode: RolloutEpisode, filter: ReviewFilter): boolean {
  const { summary } = episode
  if (filter.flag !== undefined && summary.flag !== filter.flag) return false
  if (filter.environment !== undefined && summary.environment !== filter.environment) return false
  if (filter.outcome !== undefined && summary.outcome !== filter.outcome) return false
  if (filter.to !== undefined && Date.parse(summary.startedAt) > Date.parse(filter.to)) return false
  if (filter.from !== undefined && summary.endedAt !== null && Date.parse(summary.endedAt) < Date.parse(filter.from))
    return false
  const text = filter.search?.trim().toLowerCase() ?? ''
  if (text === '') return true
  const haystack = [
    summary.flag,
    summary.environment,
    ...summary.actors,
    ...episode.events.map((event) => event.reason ?? '')
  ]
  return haystack.some((value) => value.toLowerCase().includes(text))
}
