import { RETRY_MS, type GuardWatchLink } from './useRolloutWatch'
import { secondsText } from '@renderer/format/duration-text'

/**
 * Whether this console is watching the flag's guards (and so takes the automatic action on a trip),
 * and if not, why.
 */
export function GuardWatchIndicator({ link }: { link: GuardWatchLink }) {
  const retry = `trying again every ${secondsText(RETRY_MS / 1000)}`
  switch (link.kind) {
    case 'live': {
      const { settings } = link
      return (
        <p className="guard-watch guard-watch-live" role="status" data-testid="guard-watch" data-state="live">
          <strong>Guards watched live</strong>{' '}
          <span className="guard-watch-detail">
            service {link.container}: {secondsText(settings.window_seconds)} windows, decided{' '}
            {secondsText(settings.lateness_seconds)} after they end; on a trip: {settings.action}
          </span>
        </p>
      )
    }
    case 'held':
      return (
        <p className="guard-watch guard-watch-held" role="status" data-testid="guard-watch" data-state="held">
          <strong>Guards are watched by {link.holder}</strong>{' '}
          <span className="guard-watch-detail">— that watch takes the action on a trip; {retry}</span>
        </p>
      )
    case 'failed':
      return (
        <p className="guard-watch guard-watch-failed" role="alert" data-testid="guard-watch" data-state="failed">
          <strong>Guards not watched:</strong> {link.error.message}{' '}
          <span className="error-code">({link.error.code})</span> <span className="guard-watch-detail">— {retry}</span>
        </p>
      )
    case 'ended':
      return (
        <p className="guard-watch guard-watch-failed" role="status" data-testid="guard-watch" data-state="ended">
          <strong>Guard watch ended</strong> <span className="guard-watch-detail">— starting it again</span>
        </p>
      )
    case 'offline':
      return (
        <p className="guard-watch guard-watch-failed" role="status" data-testid="guard-watch" data-state="offline">
          <strong>Guards not watched from here:</strong> not connected to the Rampart server
        </p>
      )
    case 'starting':
      return (
        <p className="guard-watch" role="status" data-testid="guard-watch" data-state="starting">
          Starting the guard watch…
        </p>
      )
  }
}
