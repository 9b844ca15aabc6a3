import {
  ATTENTION_LEVELS,
  type AttentionLevel,
  type FlagWatchView,
  type SupervisionSummary
} from '@shared/supervision-types'

const LEVEL_WORDS: Record<Exclude<AttentionLevel, 'ok'>, string> = {
  unwatched: 'UNWATCHED',
  breach: 'BREACH',
  trip: 'TRIP',
  action_failed: 'ACTION FAILED'
}

/**
 * The worst state across the watched flags, and the title that carries it to the window and the
 * browser tab: "TRIP unified_llm_hub (staging)", "+ 2 more" when several flags share it.
 */
export function supervisionSummary(watches: readonly FlagWatchView[]): SupervisionSummary {
  const worst = watches.reduce<AttentionLevel>((level, watch) => worse(level, watch.attention), 'ok')
  if (worst === 'ok') return { worst, title: 'All guards quiet' }
  const flagged = watches.filter((watch) => watch.attention === worst)
  const first = flagged[0]!
  const more = flagged.length > 1 ? ` + ${flagged.length - 1} more` : ''
  return { worst, title: `${LEVEL_WORDS[worst]} ${first.flag} (${first.environment})${more}` }
}

function worse(a: AttentionLevel, b: AttentionLevel): AttentionLevel {
  return ATTENTION_LEVELS.indexOf(b) > ATTENTION_LEVELS.indexOf(a) ? b : a
}
