/** The Review page's plain functions (filters, an event's facts, the pager, its sentences), under node. */
import { describe, expect, it } from 'vitest'
import type { HistoryEvent } from '@shared/history-types'
import type { GuardChartView, RolloutSummaryView } from '@shared/review-types'
import type { RunbookRunView } from '@shared/runbook-types'
import type { WorkspaceView } from '@shared/views'
import { decisionCounts } from '@renderer/guards/chart-points'
import { eventFacts, kindCounts } from '@renderer/review/event-facts'
import { reviewChartPoints } from '@renderer/review/review-chart-points'
import { ANY_ROLLOUT, filterChoices, isFiltered, reviewFilter } from '@renderer/review/review-filter'
import { thresholdsText, windowSummaryText } from '@renderer/review/review-text'
import { pageRange, windowPageText } from '@renderer/review/window-pages'

const START = Date.UTC(2025, 10, 3, 9, 0, 0)

function event(overrides: Partial<HistoryEvent>): HistoryEvent {
  return {
    seq: 1,
    at: '2025-11-03T09:00:00.000Z',
    kind: 'phase_move',
    actor: 'alice',
    flag: 'f',
    environment: 'local',
    reason: null,
    fromState: null,
    toState: null,
    guardSnapshot: null,
    outcome: 'applied',
    detail: null,
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    ...overrides
  }
}

describe('the review filter', () => {
  it('leaves blank fields out and trims the search text', () => {
    expect(reviewFilter(ANY_ROLLOUT)).toEqual({})
    expect(isFiltered(ANY_ROLLOUT)).toBe(false)
    expect(reviewFilter({ ...ANY_ROLLOUT, flag: 'f', outcome: 'killed', search: '  INC-7 ' })).toEqual({
      flag: 'f',
      outcome: 'killed',
      search: 'INC-7'
    })
    expect(isFiltered({ ...ANY_ROLLOUT, search: '   ' })).toBe(false)
  })

  it('reads the time fields as the operator’s local time and sends instants', () => {
    const filter = reviewFilter({ ...ANY_ROLLOUT, from: '2025-11-03T09:30', to: 'not a time' })
    expect(filter.from).toBe(new Date(2025, 10, 3, 9, 30).toISOString())
    expect(filter.to).toBeUndefined()
  })

  it('offers the workspace’s flags and environments and those only history holds (a replay’s)', () => {
    const workspace = {
      environments: [
        { name: 'staging', flags: ['b_flag'] },
        { name: 'local', flags: ['a_flag', 'b_flag'] }
      ]
    } as unknown as WorkspaceView
    const replayed = { flag: 'old_flag', environment: 'replay:0123456789ab' } as RolloutSummaryView
    expect(filterChoices(workspace, [replayed])).toEqual({
      flags: ['a_flag', 'b_flag', 'old_flag'],
      environments: ['local', 'replay:0123456789ab', 'staging']
    })
    expect(filterChoices(null, [])).toEqual({ flags: [], environments: [] })
  })
})

describe('an event’s facts', () => {
  const run = { id: 4, runbook: 'emergency-rollback', steps: [] } as unknown as RunbookRunView

  it('find the runbook run it names, and the time to safe it recorded', () => {
    const safe = event({ kind: 'kill', outcome: 'verified_safe', detail: { runId: 4, timeToSafeMs: 2410 } })
    expect(eventFacts(safe, [run])).toMatchObject({ runId: 4, run, timeToSafeMs: 2410 })
    expect(eventFacts(event({ detail: { runId: 5 } }), [run])).toMatchObject({ runId: 5, run: null })
  })

  it('show the guard snapshot and detail as indented JSON, and nothing for empty ones', () => {
    const facts = eventFacts(event({ guardSnapshot: { verdict: 'pass' }, detail: {} }), [])
    expect(facts.guardSnapshot).toBe('{\n  "verdict": "pass"\n}')
    expect(facts.detail).toBeNull()
    expect(facts.runId).toBeNull()
    expect(facts.timeToSafeMs).toBeNull()
  })

  it('count the kinds for the timeline’s filter', () => {
    const events = [event({ kind: 'phase_move' }), event({ kind: 'runbook' }), event({ kind: 'phase_move' })]
    expect(kindCounts(events)).toEqual([
      { kind: 'phase_move', count: 2 },
      { kind: 'runbook', count: 1 }
    ])
  })
})

describe('the windows pager', () => {
  it('says which windows a page holds and where the buttons go', () => {
    expect(pageRange(0, 50, 120)).toMatchObject({ from: 1, to: 50, first: true, last: false, nextOffset: 50 })
    expect(pageRange(100, 50, 120)).toMatchObject({ from: 101, to: 120, last: true, previousOffset: 50 })
    expect(pageRange(0, 50, 120).lastOffset).toBe(100)
    expect(pageRange(0, 50, 100).lastOffset).toBe(50)
    expect(windowPageText(pageRange(50, 50, 1234), 1234, false)).toBe('Windows 51–100 of 1,234')
    expect(windowPageText(pageRange(0, 50, 0), 0, false)).toBe('No guard window recorded for this rollout.')
  })
})

describe('the window summary and limits', () => {
  it('are said in words', () => {
    expect(
      windowSummaryText({
        windows: 1200,
        pass: 1190,
        hold: 5,
        breach: 4,
        trip: 1,
        maxTreatmentErrorRate: 0.2,
        maxTreatmentP95Ms: 449.6,
        first: null,
        last: null
      })
    ).toBe('1,200 windows: 1,190 pass, 5 hold, 4 breach, 1 trip; worst treatment error rate 20.0 %, worst p95 450 ms.')
    expect(thresholdsText({ maxErrorRate: 0.05, maxLatencyDegradation: 0.5 })).toBe(
      'Limits (as the newest window was judged): error rate 5.0 %, p95 control p95 × 1.50.'
    )
    expect(thresholdsText(null)).toBe('The windows do not say which limits judged them.')
  })
})

describe('review chart points', () => {
  const chart = (points: GuardChartView['points'], thresholds: GuardChartView['thresholds']): GuardChartView => ({
    points,
    thresholds,
    windows: points.length * 5,
    windowsPerPoint: 5
  })
  const point = (index: number, decision: 'pass' | 'hold' | 'breach' | 'trip', controlP95Ms: number | null) => ({
    startMs: START + index * 300_000,
    treatmentErrorRate: 0.01,
    treatmentP95Ms: 150,
    controlP95Ms,
    decision
  })

  it('span to the next point, so a trip band covers every window the point stands for', () => {
    const points = reviewChartPoints(
      chart([point(0, 'pass', 140), point(1, 'trip', 140), point(2, 'pass', null)], {
        maxErrorRate: 0.05,
        maxLatencyDegradation: 0.5
      })
    )
    expect(points.map((each) => each.spanMs)).toEqual([300_000, 300_000, 300_000])
    expect(points.map((each) => each.errorRateLimit)).toEqual([0.05, 0.05, 0.05])
    expect(points.map((each) => each.p95LimitMs)).toEqual([210, 210, null])
    // A bucket keeps the treatment's worst figures only: no control error rate to draw.
    expect(points.every((each) => each.controlErrorRate === null)).toBe(true)
    expect(decisionCounts(points)).toEqual({ breach: 0, trip: 1 })
  })

  it('draw no limits when the windows do not say which thresholds judged them', () => {
    const [only] = reviewChartPoints(chart([point(0, 'breach', 140)], null))
    expect(only).toMatchObject({ spanMs: 60_000, errorRateLimit: null, p95LimitMs: null, decision: 'breach' })
  })
})
