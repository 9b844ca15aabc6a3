import type { ContractError } from '@shared/errors'

/**
 * The event a move's error says was already written and recorded: main wrote the change to an
 * env file and recorded it, but could not restart the service so it takes effect. Null for
 * every other error (a refusal or a conflict wrote nothing).
 */
export function unappliedMoveEvent(error: ContractError): number | null {
  const detail = error.detail
  if (typeof detail !== 'object' || detail === null) return null
  const eventSeq = (detail as { eventSeq?: unknown }).eventSeq
  return typeof eventSeq === 'number' ? eventSeq : null
}
