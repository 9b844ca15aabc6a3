import type { HistoryEvent } from '@shared/history-types'
import { flagStateText } from './flag-state-text'

/** A recorded move's states in a few characters: "ON 10 % → ON 25 %"; a refusal records only where it was. */
export function transitionText(event: Pick<HistoryEvent, 'fromState' | 'toState'>): string {
  const from = flagStateText(event.fromState)
  const to = flagStateText(event.toState)
  if (from === '—' && to === '—') return ''
  if (to === '—') return `at ${from}`
  return `${from} → ${to}`
}

/** The kind, with the move or runbook it concerns when the event's detail names one: "refused (advance)". */
export function kindText(event: Pick<HistoryEvent, 'kind' | 'detail'>): string {
  const detail = event.detail
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return event.kind
  const about =
    typeof detail.move === 'string' ? detail.move : typeof detail.runbook === 'string' ? detail.runbook : null
  return about === null || about === event.kind ? event.kind : `${event.kind} (${about})`
}
