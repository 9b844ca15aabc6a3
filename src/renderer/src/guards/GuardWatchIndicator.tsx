import type { LockHolder } from '@shared/error-details'
import type { FlagWatchView } from '@shared/supervision-types'
import { secondsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'

interface GuardWatchIndicatorProps {
  /** Main's watch of the flag, or null while main has not reported on it. */
  watch: FlagWatchView | null
  /** Whether the console follows main's supervision now. */
  following: boolean
}

/**
 * How main's supervision of this flag stands: watched live (a trip takes the environment's action
 * whatever page is open), held by another Rampart, idle because nobody is exposed, or failing.
 */
export function GuardWatchIndicator({ watch, following }: GuardWatchIndicatorProps) {
  if (!following) {
    return (
      <p className="guard-watch guard-watch-failed" role="status" data-testid="guard-watch" data-state="offline">
        <strong>Guard supervision not followed:</strong> not connected to the Rampart server
      </p>
    )
  }
  if (watch === null) {
    return (
      <p className="guard-watch" role="status" data-testid="guard-watch" data-state="unknown">
        Waiting for main&rsquo;s guard supervision to report on this flag…
      </p>
    )
  }
  const since = <span title={watch.since}>since {instantText(watch.since)}</span>
  switch (watch.state) {
    case 'watching': {
      const { settings } = watch
      return (
        <p className="guard-watch guard-watch-live" role="status" data-testid="guard-watch" data-state="watching">
          <strong>Guards watched live</strong>{' '}
          <span className="guard-watch-detail">
            service {watch.container ?? 'unknown'}
            {settings === null
              ? ''
              : `: ${secondsText(settings.window_seconds)} windows, decided ` +
                `${secondsText(settings.lateness_seconds)} after they end; on a trip: ${settings.action}`}
          </span>
        </p>
      )
    }
    case 'held_elsewhere': {
      const holder = watch.holder === null ? 'another Rampart' : holderText(watch.holder)
      return (
        <p className="guard-watch guard-watch-held" role="status" data-testid="guard-watch" data-state="held_elsewhere">
          <strong>Guards are watched by {holder}</strong>{' '}
          <span className="guard-watch-detail">
            — that watch takes the action on a trip; this Rampart takes over when it stops
          </span>
        </p>
      )
    }
    case 'idle':
      return (
        <p className="guard-watch" role="status" data-testid="guard-watch" data-state="idle">
          <strong>Guards idle:</strong> {watch.message} <span className="guard-watch-detail">({since})</span>
        </p>
      )
    case 'starting':
      return (
        <p className="guard-watch" role="status" data-testid="guard-watch" data-state="starting">
          Starting the guard watch… <span className="guard-watch-detail">({watch.message})</span>
        </p>
      )
    case 'failed':
      return (
        <p className="guard-watch guard-watch-failed" role="alert" data-testid="guard-watch" data-state="failed">
          <strong>Guards not watched:</strong> {watch.message} <span className="guard-watch-detail">({since})</span>
        </p>
      )
  }
}

/** "bob (pid 4711 on ops-1, since 2025-11-03 09:00:12)". */
function holderText(holder: LockHolder): string {
  return `${holder.actor} (pid ${holder.pid} on ${holder.host}, since ${instantText(holder.since)})`
}
