import type { FlagView, RolloutPositionView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

/** One flag's state as read from its source, large enough to read at a glance. */
export function FlagCard({ view }: { view: FlagView }) {
  const state = view.state
  return (
    <article className="flag-card" aria-labelledby={`flag-${view.flag}`} data-testid={`flag-card-${view.flag}`}>
      <header className="flag-card-header">
        <h2 id={`flag-${view.flag}`}>{view.flag}</h2>
        <span className="flag-environment">{view.environment}</span>
      </header>
      {state === null ? (
        <div className="flag-status flag-status-unknown" data-testid="flag-enabled">
          UNKNOWN
        </div>
      ) : (
        <div className="flag-status-row">
          <div
            className={`flag-status ${state.enabled ? 'flag-status-on' : 'flag-status-off'}`}
            data-testid="flag-enabled"
          >
            {state.enabled ? 'ON' : 'OFF'}
          </div>
          <div className="flag-rollout" data-testid="flag-rollout">
            {state.rollout_percentage} %
          </div>
          {view.position !== null && <div className="flag-position">{describePosition(view.position)}</div>}
        </div>
      )}
      {view.error !== null && <ErrorNotice error={view.error} context="Could not read this flag" />}
      {state !== null && (
        <dl className="flag-details">
          <dt>Whitelist</dt>
          <dd data-testid="flag-whitelist">{listText(state.whitelist_users)}</dd>
          <dt>Blacklist</dt>
          <dd data-testid="flag-blacklist">{listText(state.blacklist_users)}</dd>
          <dt>Starts</dt>
          <dd>{state.start_date ?? 'no start date'}</dd>
          <dt>Ends</dt>
          <dd>{state.end_date ?? 'no end date'}</dd>
        </dl>
      )}
      <p className="flag-source">
        Source: {view.source} · <span className="flag-origin">{view.origin}</span>
      </p>
    </article>
  )
}

function describePosition(position: RolloutPositionView): string {
  return position.kind === 'phase'
    ? `phase ${position.phase} %`
    : `drift: ${position.percentage} % is off the path (phase below: ${position.phaseBelow} %)`
}

function listText(users: readonly string[]): string {
  return users.length === 0 ? 'none' : users.join(', ')
}
