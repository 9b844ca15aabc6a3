import type { HistoryEvent } from '@shared/history-types'
import type { RunbookRunView } from '@shared/runbook-types'
import { durationMsText } from '@renderer/format/duration-text'
import { kindText, transitionText } from '@renderer/format/event-text'
import { instantText } from '@renderer/format/instant-text'
import { runbookStepList } from '@renderer/runbooks/runbook-step-rows'
import { RunbookSteps } from '@renderer/runbooks/RunbookSteps'
import { eventFacts } from './event-facts'

interface EventDetailProps {
  /** The panel's id: the focus goes to it when an event is chosen. */
  id: string
  event: HistoryEvent | null
  runs: readonly RunbookRunView[]
}

/**
 * One event in full: who, why, the states, the guard figures recorded with it, and for a runbook
 * event the run's steps with their durations as recorded, and the time to safe where it was measured.
 */
export function EventDetail({ id, event, runs }: EventDetailProps) {
  if (event === null) {
    return (
      <section className="review-detail" id={id} tabIndex={-1} aria-label="Event detail" data-testid="review-detail">
        <p className="muted">Choose an event of the timeline to see it in full.</p>
      </section>
    )
  }
  const facts = eventFacts(event, runs)
  const transition = transitionText(event)
  return (
    <section
      className="review-detail"
      id={id}
      tabIndex={-1}
      aria-label={`Event #${event.seq}`}
      data-testid="review-detail"
      data-seq={event.seq}
    >
      <h4 className="review-detail-title">
        Event #{event.seq}: {kindText(event)}
      </h4>
      <dl className="review-facts">
        <dt>Time</dt>
        <dd title={event.at}>{instantText(event.at)}</dd>
        <dt>Actor</dt>
        <dd data-testid="review-detail-actor">{event.actor}</dd>
        <dt>Reason</dt>
        <dd data-testid="review-detail-reason">{event.reason ?? '—'}</dd>
        <dt>Outcome</dt>
        <dd>{event.outcome ?? '—'}</dd>
        <dt>From → to</dt>
        <dd data-testid="review-detail-transition">{transition === '' ? '—' : transition}</dd>
        {facts.timeToSafeMs !== null && (
          <>
            <dt>Time to safe</dt>
            <dd className="review-safe" data-testid="review-detail-safe">
              {durationMsText(facts.timeToSafeMs)}
            </dd>
          </>
        )}
      </dl>
      {facts.runId !== null && <RunSteps runId={facts.runId} run={facts.run} />}
      <h5 className="review-detail-heading">Guard snapshot</h5>
      {facts.guardSnapshot === null ? (
        <p className="muted">None recorded with this event.</p>
      ) : (
        <JsonBlock
          label={`Guard snapshot of event #${event.seq}`}
          text={facts.guardSnapshot}
          testId="review-snapshot"
        />
      )}
      {facts.detail !== null && (
        <>
          <h5 className="review-detail-heading">Detail</h5>
          <JsonBlock label={`Detail of event #${event.seq}`} text={facts.detail} testId="review-detail-json" />
        </>
      )}
    </section>
  )
}

function RunSteps({ runId, run }: { runId: number; run: RunbookRunView | null }) {
  if (run === null) {
    return <p className="muted">Runbook run #{runId} is no longer in the history file.</p>
  }
  return (
    <div className="review-run" data-testid="review-run">
      <h5 className="review-detail-heading">
        Runbook {run.runbook}, run #{run.id}: {run.status}
      </h5>
      <RunbookSteps list={runbookStepList(run, [])} label={`Steps of run #${run.id}`} />
    </div>
  )
}

/** Indented JSON in a box that scrolls by itself, and from the keyboard. */
function JsonBlock({ label, text, testId }: { label: string; text: string; testId: string }) {
  return (
    <pre className="review-json" role="region" aria-label={label} tabIndex={0} data-testid={testId}>
      {text}
    </pre>
  )
}
