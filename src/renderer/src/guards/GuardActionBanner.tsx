import type { GuardActionView } from './supervision-state'
import { guardActionHeadline } from './guard-action-text'

interface GuardActionBannerProps {
  action: GuardActionView
  /** Where the flag stood when it tripped, when known. */
  percentage: number | null
  onDismiss: () => void
}

/**
 * An automatic action taken on a guard trip, prominent: red when the flag was moved or the move
 * failed, amber when the trip was only recorded or there was nothing to move. Main's own message
 * (the move's event, what happened to the service) is under it. The failure names the flag and
 * the environment, as the emergency action does.
 */
export function GuardActionBanner({ action, percentage, onDismiss }: GuardActionBannerProps) {
  const { notice } = action
  const severe = notice.outcome === 'applied' || notice.outcome === 'failed'
  return (
    <div
      className={severe ? 'guard-action guard-action-severe' : 'guard-action guard-action-notice'}
      role="alert"
      data-testid="guard-action-banner"
      data-outcome={notice.outcome}
    >
      <p className="guard-action-headline">{guardActionHeadline(action, percentage)}</p>
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
