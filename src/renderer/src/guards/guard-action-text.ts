import type { GuardActionView } from './supervision-state'
import { clockTimeText } from './clock-time-text'

/**
 * The one line an operator reads first about an automatic action, e.g. "Guard trip at 25 %:
 * rolled back to 0 % automatically at 07:12:03 — treatment error rate 0.21 > 0.05; …". What was
 * done, and why, is main's: the notice's action and outcome, the tripping window's reasons.
 * `percentage` is where the flag stood when it tripped, when known.
 */
export function guardActionHeadline(view: GuardActionView, percentage: number | null): string {
  const { notice } = view
  const trip = percentage === null ? 'Guard trip' : `Guard trip at ${percentage} %`
  const at = clockTimeText(view.receivedAt)
  const what = whatHappened(notice.action, notice.outcome, at)
  const why = view.reasons.length === 0 ? '' : ` — ${view.reasons.join('; ')}`
  return `${trip}: ${what}${why}`
}

function whatHappened(
  action: GuardActionView['notice']['action'],
  outcome: GuardActionView['notice']['outcome'],
  at: string
): string {
  const move = action === 'kill' ? 'kill' : 'rollback'
  switch (outcome) {
    case 'applied':
      return action === 'kill' ? `flag killed automatically at ${at}` : `rolled back to 0 % automatically at ${at}`
    case 'recorded':
      return `recorded at ${at}; the environment's action is alert, so nothing was moved`
    case 'skipped':
      return `nothing to ${action === 'kill' ? 'kill' : 'roll back'} at ${at}`
    case 'failed':
      return `the automatic ${move} FAILED at ${at}`
  }
}
