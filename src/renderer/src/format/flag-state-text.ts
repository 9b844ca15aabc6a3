import type { JsonValue } from '@shared/history-types'

/**
 * A recorded flag state (a history event's from/to) in a few characters: "ON 25 %", "OFF 25 %".
 * Events that carry no flag state show "—".
 */
export function flagStateText(state: JsonValue): string {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return '—'
  const enabled = state.enabled
  const percentage = state.rollout_percentage
  const parts: string[] = []
  if (typeof enabled === 'boolean') parts.push(enabled ? 'ON' : 'OFF')
  if (typeof percentage === 'number') parts.push(`${percentage} %`)
  return parts.length === 0 ? '—' : parts.join(' ')
}
