import { detailOf, type LockHeldDetail, type LockHolder, type Unverified } from '@shared/error-details'
import type { ContractError } from '@shared/errors'
import { instantText } from '@renderer/format/instant-text'

/**
 * Who holds the guard watch of a flag, from main's `conflict` error, e.g.
 * "bob (pid 4711 on ops-1, since 2025-11-03 09:00:12)". Main's whole message when the error
 * names no holder.
 */
export function lockHolderText(error: ContractError): string {
  const holder = detailOf<LockHeldDetail>(error)?.lockHolder
  if (typeof holder !== 'object' || holder === null) return error.message
  const { actor, pid, host, since } = holder as Unverified<LockHolder>
  if (typeof actor !== 'string') return error.message
  const process = [typeof pid === 'number' ? `pid ${pid}` : null, typeof host === 'string' ? `on ${host}` : null]
    .filter((part) => part !== null)
    .join(' ')
  const parts = [process, typeof since === 'string' ? `since ${instantText(since)}` : ''].filter((part) => part !== '')
  return parts.length === 0 ? actor : `${actor} (${parts.join(', ')})`
}
