import { detailOf, type UnappliedMoveDetail } from '@shared/error-details'
import type { ContractError } from '@shared/errors'

/**
 * The event a move's error says was already written and recorded: main wrote the change to an
 * env file and recorded it, but could not restart the service so it takes effect. Null for
 * every other error (a refusal or a conflict wrote nothing).
 */
export function unappliedMoveEvent(error: ContractError): number | null {
  const eventSeq = detailOf<UnappliedMoveDetail>(error)?.eventSeq
  return typeof eventSeq === 'number' ? eventSeq : null
}
