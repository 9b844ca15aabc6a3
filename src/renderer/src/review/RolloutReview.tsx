import { useId, useMemo, useState } from 'react'
import type { RolloutDetailView } from '@shared/review-types'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import { durationMsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'
import { GuardWindowChart } from '@renderer/guards/GuardWindowChart'
import { EventDetail } from './EventDetail'
import { EventTimeline } from './EventTimeline'
import { ExportButtons } from './ExportButtons'
import { reviewChartPoints } from './review-chart-points'
import { countsText, highestPhaseText, OUTCOME_TEXT, pointText, thresholdsText, windowSummaryText } from './review-text'
import { ReviewWindowTable } from './ReviewWindowTable'

interface RolloutReviewProps {
  id: number
  /** The heading's id: the focus goes to it when the rollout opens. */
  headingId: string
  historyTick: number
  onClose: () => void
}

/** One past (or running) rollout in full: what happened, its guard windows, and its report. */
export function RolloutReview({ id, headingId, historyTick, onClose }: RolloutReviewProps) {
  const detail = useInvoke('review.rollout', { id }, { refreshKey: historyTick })
  return (
    <div className="review-rollout" data-testid="review-rollout" data-rollout={id}>
      <button type="button" className="review-back" onClick={onClose} data-testid="review-back">
        ← All rollouts
      </button>
      <h2 id={headingId} tabIndex={-1} className="review-rollout-title">
        Rollout #{id}
        {detail.value === null ? '' : `: ${detail.value.summary.flag} in ${detail.value.summary.environment}`}
      </h2>
      {detail.error !== null && <ErrorNotice error={detail.error} context={`Could not read rollout #${id}`} />}
      {detail.value === null && detail.error === null && <p className="muted">Reading the rollout…</p>}
      {detail.value !== null && <RolloutBody detail={detail.value} historyTick={historyTick} />}
    </div>
  )
}

function RolloutBody({ detail, historyTick }: { detail: RolloutDetailView; historyTick: number }) {
  const { summary, events, chart, windowSummary, runs } = detail
  const [kind, setKind] = useState('')
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null)
  const focusAfterRender = useFocusAfterRender()
  const detailId = useId()
  const points = useMemo(() => reviewChartPoints(chart), [chart])
  const subject = `${summary.flag} in ${summary.environment}`
  const selected = events.find((event) => event.seq === selectedSeq) ?? null

  const select = (seq: number) => {
    setSelectedSeq(seq)
    focusAfterRender(detailId)
  }

  return (
    <>
      <div className="review-summary" data-testid="review-summary">
        <p className={`review-verdict review-outcome-${summary.outcome}`} data-testid="review-verdict">
          {OUTCOME_TEXT[summary.outcome]}
        </p>
        <dl className="review-facts">
          <dt>Highest phase</dt>
          <dd data-testid="review-highest-phase">{highestPhaseText(summary)}</dd>
          <dt>Started</dt>
          <dd title={summary.startedAt}>{instantText(summary.startedAt)}</dd>
          <dt>Ended</dt>
          <dd title={summary.endedAt ?? undefined}>
            {summary.endedAt === null ? 'not yet: in progress' : instantText(summary.endedAt)}
          </dd>
          <dt>Who</dt>
          <dd>{summary.actors.join(', ')}</dd>
          <dt>Events</dt>
          <dd>{countsText(summary)}</dd>
          {summary.timeToSafeMs !== null && (
            <>
              <dt>Time to safe</dt>
              <dd className="review-safe" data-testid="review-time-to-safe">
                {durationMsText(summary.timeToSafeMs)}
              </dd>
            </>
          )}
        </dl>
      </div>
      <ExportButtons
        scope={{ flag: summary.flag, environment: summary.environment }}
        subject={subject}
        testId="review-export-rollout"
        headingLevel={3}
      />

      <h3 className="section-title">Timeline</h3>
      <div className="review-timeline-layout">
        <EventTimeline events={events} kind={kind} onKind={setKind} selectedSeq={selectedSeq} onSelect={select} />
        <EventDetail id={detailId} event={selected} runs={runs} />
      </div>

      <h3 className="section-title">Guard windows</h3>
      <p data-testid="review-window-summary">{windowSummaryText(windowSummary)}</p>
      {chart.windows > 0 && (
        <>
          <p className="muted">{thresholdsText(chart.thresholds)}</p>
          <GuardWindowChart
            points={points}
            pointText={pointText(chart.windowsPerPoint)}
            controlRate={false}
            testId="review-chart"
          />
          <ReviewWindowTable rolloutId={summary.id} subject={subject} historyTick={historyTick} />
        </>
      )}
    </>
  )
}
