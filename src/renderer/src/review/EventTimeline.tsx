import { useId } from 'react'
import type { HistoryEvent } from '@shared/history-types'
import { kindText, transitionText } from '@renderer/format/event-text'
import { instantText } from '@renderer/format/instant-text'
import { kindCounts } from './event-facts'

interface EventTimelineProps {
  events: readonly HistoryEvent[]
  /** The kind shown, or '' for every kind. */
  kind: string
  onKind: (kind: string) => void
  selectedSeq: number | null
  onSelect: (seq: number) => void
}

/** The id of an event's button: the focus returns to it from the detail panel. */
function eventButtonId(seq: number): string {
  return `review-event-${seq}`
}

/** Every event of the rollout, oldest first as it happened, filterable by kind; each opens its detail. */
export function EventTimeline({ events, kind, onKind, selectedSeq, onSelect }: EventTimelineProps) {
  const kindId = useId()
  const shown = kind === '' ? events : events.filter((event) => event.kind === kind)
  return (
    <div className="review-timeline">
      <div className="review-field review-kind">
        <label htmlFor={kindId}>Kind</label>
        <select id={kindId} value={kind} onChange={(event) => onKind(event.target.value)} data-testid="review-kind">
          <option value="">Every kind ({events.length})</option>
          {kindCounts(events).map(({ kind: value, count }) => (
            <option key={value} value={value}>
              {value} ({count})
            </option>
          ))}
        </select>
      </div>
      <div className="table-scroll" role="region" aria-label="Timeline of the rollout" tabIndex={0}>
        <table className="review-table review-events" data-testid="review-timeline">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">From → to</th>
              <th scope="col">Actor</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((event) => {
              const selected = event.seq === selectedSeq
              return (
                <tr
                  key={event.seq}
                  className={selected ? 'review-event review-event-selected' : 'review-event'}
                  data-testid="review-event"
                  data-kind={event.kind}
                  data-seq={event.seq}
                >
                  <td>
                    <button
                      type="button"
                      id={eventButtonId(event.seq)}
                      className="review-event-button"
                      aria-pressed={selected}
                      onClick={() => onSelect(event.seq)}
                    >
                      <span className="visually-hidden">Details of event </span>#{event.seq}
                    </button>
                  </td>
                  <td title={event.at}>{instantText(event.at)}</td>
                  <td>{kindText(event)}</td>
                  <td className="review-states">{transitionText(event)}</td>
                  <td>{event.actor}</td>
                  <td className={`history-outcome history-outcome-${event.outcome ?? 'none'}`}>
                    {event.outcome ?? ''}
                  </td>
                  <td className="review-reason">{event.reason ?? ''}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p className="muted">No event of this kind.</p>}
    </div>
  )
}
