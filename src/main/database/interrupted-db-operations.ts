import type { HistoryStore } from '@main/history/history-store'
import type { DbOperationRecord } from '@main/history/operation-records'
import { currentProcess, processExists, type ProcessIdentity } from '@main/platform/process-liveness'
import { ownerGone } from '@main/platform/core/owner-liveness'
import { AUTOMATIC_ACTOR } from '@main/platform/operator'

export interface InterruptedDbOperationsDeps {
  history: Pick<HistoryStore, 'operations'>
  /** The asking process; this one by default. */
  identity?: ProcessIdentity
  isProcessAlive?: (pid: number) => boolean
}

/**
 * Closes the database operations a crashed or killed process left `running` (its pid gone from
 * this host) as `interrupted`, each with a `db_operation` event, so history tells how every
 * operation ended. Postgres rolled back whatever transaction such a process had open; the
 * migration ledger, not this record, says what was applied. Returns the records it closed.
 */
export function closeInterruptedDbOperations(deps: InterruptedDbOperationsDeps): DbOperationRecord[] {
  const identity = deps.identity ?? currentProcess()
  const isAlive = deps.isProcessAlive ?? processExists
  const closed: DbOperationRecord[] = []
  for (const operation of deps.history.operations.listDbOperations({ status: 'running' })) {
    const owner = operation.owner
    const interruption = ownerGone(owner, {
      host: identity.host,
      pidAlive: owner !== null && owner.host === identity.host ? isAlive(owner.pid) : null
    })
    if (interruption === null) continue
    const record = deps.history.operations.interruptDbOperation(operation.id, interruption, AUTOMATIC_ACTOR)
    if (record !== null) closed.push(record)
  }
  return closed
}
