import type { ReviewFilter, RolloutOutcome, RolloutSummaryView } from '@shared/review-types'
import type { WorkspaceView } from '@shared/views'

/** The filter form as typed: empty means "any". Times are the inputs' local `YYYY-MM-DDTHH:MM`. */
export interface ReviewFilterFields {
  flag: string
  environment: string
  from: string
  to: string
  outcome: RolloutOutcome | ''
  search: string
}

export const ANY_ROLLOUT: ReviewFilterFields = { flag: '', environment: '', from: '', to: '', outcome: '', search: '' }

/** The form as `review.rollouts` takes it: blank fields left out, local times as instants. */
export function reviewFilter(fields: ReviewFilterFields): ReviewFilter {
  const filter: ReviewFilter = {}
  if (fields.flag !== '') filter.flag = fields.flag
  if (fields.environment !== '') filter.environment = fields.environment
  const from = instantOf(fields.from)
  if (from !== null) filter.from = from
  const to = instantOf(fields.to)
  if (to !== null) filter.to = to
  if (fields.outcome !== '') filter.outcome = fields.outcome
  if (fields.search.trim() !== '') filter.search = fields.search.trim()
  return filter
}

/** True when any field narrows the list. */
export function isFiltered(fields: ReviewFilterFields): boolean {
  return Object.values(reviewFilter(fields)).length > 0
}

/**
 * The flags and environments the filter offers: the workspace's, and those history holds besides
 * (a flag since removed from the workspace, a replayed incident's `replay:…` environment).
 */
export function filterChoices(
  workspace: WorkspaceView | null,
  rollouts: readonly RolloutSummaryView[]
): { flags: string[]; environments: string[] } {
  const flags = new Set<string>()
  const environments = new Set<string>()
  for (const environment of workspace?.environments ?? []) {
    environments.add(environment.name)
    for (const flag of environment.flags) flags.add(flag)
  }
  for (const rollout of rollouts) {
    flags.add(rollout.flag)
    environments.add(rollout.environment)
  }
  return { flags: [...flags].sort(), environments: [...environments].sort() }
}

/** A datetime-local value (the operator's local time) as an ISO instant; null when blank or not a time. */
function instantOf(local: string): string | null {
  if (local.trim() === '') return null
  const at = new Date(local)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}
