import type { ContractError } from '@shared/errors'
import type { AppliedMoveResult } from '@shared/rollout-watch-types'
import { conflictChanges } from './conflict-text'
import { flagStateText } from '@renderer/format/flag-state-text'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

export type MoveOutcomeValue =
  | { kind: 'applied'; result: AppliedMoveResult }
  /** Written to the source and recorded as `eventSeq`, but the service was not restarted to take it. */
  | { kind: 'unapplied'; eventSeq: number; error: ContractError }
  | { kind: 'conflict'; error: ContractError }

/**
 * What the last move did: written, recorded and applied to the service; written and recorded but
 * not applied; or refused because the flag changed under the operator.
 */
export function MoveOutcome({ outcome }: { outcome: MoveOutcomeValue }) {
  if (outcome.kind === 'applied') {
    const { event, service } = outcome.result
    return (
      <div className="move-applied" role="status" data-testid="move-outcome">
        <p>
          Done: {event.flag} {flagStateText(event.fromState)} → {flagStateText(event.toState)}, recorded as event #
          {event.seq} by {event.actor}.
        </p>
        <p className="move-service" data-testid="move-service">
          Service: {service.message}
        </p>
      </div>
    )
  }
  if (outcome.kind === 'unapplied') {
    return (
      <div className="move-unapplied" role="alert" data-testid="move-outcome">
        <strong>Written and recorded as event #{outcome.eventSeq}, but the service has not picked it up.</strong>
        <ErrorNotice error={outcome.error} />
      </div>
    )
  }
  const changes = conflictChanges(outcome.error)
  return (
    <div className="move-conflict" role="alert" data-testid="move-outcome">
      <strong>The flag changed since you looked; nothing was written.</strong>
      {changes !== null && (
        <ul>
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      )}
      <p>The state above has been read again. Look at it and choose the move again.</p>
      <details className="move-conflict-details">
        <summary>What main said</summary>
        <ErrorNotice error={outcome.error} />
      </details>
    </div>
  )
}
