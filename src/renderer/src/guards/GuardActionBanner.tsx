import type { GuardActionView } from './useLiveGuards'
import { guardActionHeadline } from './guard-action-text'

/**
 * An automatic action taken on a guard trip, prominent: red when the flag was moved or the move
 * failed, amber when the trip was only recorded or there was nothing to move. Main's own message
 * (the move's event, what happened to the service) is under it.
 */
export function GuardActionBanner({ action, onDismiss }: { action: GuardActionView; onDismiss: () => void }) {
  const { notice } = action
  const severe = notice.outcome === 'applied' || notice.outcome === 'failed'
  return (
    <div
      className={severe ? 'guard-action guard-action-severe' : 'guard-action guard-action-notice'}
      role="alert"
      data-testid="guard-action-banner"
      data-outcome={notice.outcome}
    >
      <p className="guard-action-headline">{guardActionHeadline(action)}</p>
      <p className="guard-action-message">
        {notice.message} (trip event #{notice.tripEventSeq}
        {notice.eventSeq === null ? '' : `, move event #${notice.eventSeq}`})
      </p>
      {notice.outcome === 'failed' && (
        <p className="guard-action-message">The flag may still be exposed: use the emergency rollback in the header.</p>
      )}
      <button type="button" className="guard-action-dismiss" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  )
}
