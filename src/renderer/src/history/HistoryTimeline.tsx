import type { HistoryEvent } from '@shared/history-types'
import { kindText, transitionText } from '@renderer/format/event-text'
import { instantText } from '@renderer/format/instant-text'

/** Recorded events, newest first, one compact row each. */
export function HistoryTimeline({ events }: { events: HistoryEvent[] }) {
  if (events.length === 0) return <p className="muted">Nothing recorded yet.</p>
  const newestFirst = [...events].reverse()
  return (
    <div className="table-scroll" role="region" aria-label="Recorded events" tabIndex={0}>
      <table className="history-table" data-testid="history-timeline">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Flag</th>
            <th scope="col">From → to</th>
            <th scope="col">Actor</th>
            <th scope="col">Reason</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((event) => (
            <tr key={event.seq} className={`history-row history-kind-${event.kind}`} data-testid="history-row">
              <td className="history-seq">{event.seq}</td>
              <td title={event.at}>{instantText(event.at)}</td>
              <td>{kindText(event)}</td>
              <td>
                {event.environment === null ? (event.flag ?? '—') : `${event.flag ?? '—'} (${event.environment})`}
              </td>
              <td className="history-states">{transitionText(event)}</td>
              <td>{event.actor}</td>
              <td className="history-reason">{event.reason ?? ''}</td>
              <td className={`history-outcome history-outcome-${event.outcome ?? 'none'}`}>{event.outcome ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
