import type { HistoryEvent } from '@shared/history-types'
import type { RolloutOutcome, RolloutSummaryView } from '@shared/review-types'

/**
 * A rollout as a reviewer reads it: from the move that starts it to the move that ends it, with
 * every event of its flag and environment in between. History keeps one record per flag and
 * environment; the review cuts its events into these episodes:
 * - a rollout ends when it reaches 100 % (completed), is rolled back to 0 % (rolled back) or is
 *   killed (killed); until then it is in progress;
 * - after an end, events that are no move (the verified-safe record of an emergency rollback,
 *   notifications, refusals) still belong to the rollout that ended: the incident's tail;
 * - the next move starts a new rollout. A replayed incident (`guards replay --record`) is its own
 *   rollout, outcome `replayed`.
 */
export interface RolloutEpisode {
  summary: RolloutSummaryView
  events: HistoryEvent[]
}

/** Kinds that change exposure, so one can start a rollout after another ended. */
const MOVE_KINDS = new Set(['phase_move', 'rollback', 'kill', 'enable', 'adopt'])

/** Splits the events of ONE flag and environment, oldest first, into rollouts. */
export function rolloutEpisodes(events: readonly HistoryEvent[]): RolloutEpisode[] {
  const episodes: RolloutEpisode[] = []
  let open: HistoryEvent[] | null = null
  let ended: HistoryEvent[] | null = null
  for (const event of events) {
    if (event.kind === 'replay') {
      episodes.push(...close(open, ended))
      open = null
      ended = null
      episodes.push(episodeOf([event], 'replayed', event))
      continue
    }
    const startsNew = open === null && (ended === null || isAppliedMove(event))
    if (startsNew) {
      if (ended !== null) episodes.push(...close(null, ended))
      ended = null
      open = [event]
    } else if (open !== null) {
      open.push(event)
    } else {
      ended!.push(event)
    }
    if (open !== null && endOf(event) !== null) {
      ended = open
      open = null
    }
  }
  episodes.push(...close(open, ended))
  return episodes
}

function close(open: HistoryEvent[] | null, ended: HistoryEvent[] | null): RolloutEpisode[] {
  const episodes: RolloutEpisode[] = []
  if (ended !== null) {
    const end = ended.find((event) => endOf(event) !== null)!
    episodes.push(episodeOf(ended, endOf(end)!, end))
  }
  if (open !== null) episodes.push(episodeOf(open, 'in_progress', null))
  return episodes
}

/** How an applied move ends a rollout, or null when it does not. */
function endOf(event: HistoryEvent): Exclude<RolloutOutcome, 'in_progress' | 'replayed'> | null {
  if (!isAppliedMove(event)) return null
  if (event.kind === 'kill') return 'killed'
  const to = percentageOf(event.toState)
  if (event.kind === 'rollback' || (event.kind === 'phase_move' && to === 0)) return 'rolled_back'
  if (to === 100 && enabledOf(event.toState) !== false) return 'completed'
  return null
}

function isAppliedMove(event: HistoryEvent): boolean {
  return MOVE_KINDS.has(event.kind) && event.outcome === 'applied'
}

function episodeOf(events: HistoryEvent[], outcome: RolloutOutcome, end: HistoryEvent | null): RolloutEpisode {
  const first = events[0]!
  const percentages = events.flatMap((event) =>
    [event.fromState, event.toState].map(percentageOf).filter((value): value is number => value !== null)
  )
  const actors = [...new Set(events.filter(isAppliedMove).map((event) => event.actor))]
  const safe = events.find((event) => event.kind === 'kill' && event.outcome === 'verified_safe')
  const timeToSafeMs = (safe?.detail as { timeToSafeMs?: unknown } | null)?.timeToSafeMs
  return {
    events,
    summary: {
      id: first.seq,
      flag: first.flag ?? '',
      environment: first.environment ?? '',
      startedAt: first.at,
      endedAt: end?.at ?? null,
      highestPhase: percentages.length === 0 ? null : Math.max(...percentages),
      outcome,
      actors: actors.length > 0 ? actors : [first.actor],
      events: events.length,
      trips: events.filter((event) => event.kind === 'guard_trip').length,
      timeToSafeMs: typeof timeToSafeMs === 'number' ? timeToSafeMs : null,
      lastSeq: events.at(-1)!.seq
    }
  }
}

function percentageOf(state: unknown): number | null {
  const value = (state as { rollout_percentage?: unknown } | null)?.rollout_percentage
  return typeof value === 'number' ? value : null
}

function enabledOf(state: unknown): boolean | null {
  const value = (state as { enabled?: unknown } | null)?.enabled
  return typeof value === 'boolean' ? value : null
}
