import type { ChartThresholds, RolloutOutcome, RolloutSummaryView, WindowSummary } from '@shared/review-types'

/** How a rollout ended, as the page says it at a glance. */
export const OUTCOME_TEXT: Record<RolloutOutcome, string> = {
  completed: 'COMPLETED',
  rolled_back: 'ROLLED BACK',
  killed: 'KILLED',
  in_progress: 'IN PROGRESS',
  replayed: 'REPLAYED'
}

/** The outcome filter's choices, in the order a reviewer looks for them. */
export const OUTCOME_CHOICES: ReadonlyArray<{ value: RolloutOutcome; label: string }> = [
  { value: 'completed', label: 'Completed' },
  { value: 'rolled_back', label: 'Rolled back' },
  { value: 'killed', label: 'Killed' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'replayed', label: 'Replayed' }
]

export function highestPhaseText(summary: Pick<RolloutSummaryView, 'highestPhase'>): string {
  return summary.highestPhase === null ? '—' : `${summary.highestPhase} %`
}

/** "12 events, 1 trip". */
export function countsText(summary: Pick<RolloutSummaryView, 'events' | 'trips'>): string {
  const events = `${summary.events} event${summary.events === 1 ? '' : 's'}`
  return summary.trips === 0 ? events : `${events}, ${summary.trips} trip${summary.trips === 1 ? '' : 's'}`
}

/**
 * "120 windows: 110 pass, 5 hold, 4 breach, 1 trip; worst treatment error rate 20.0 %, worst p95
 * 450 ms." — or that none was recorded.
 */
export function windowSummaryText(summary: WindowSummary): string {
  if (summary.windows === 0) return 'No guard window recorded for this rollout.'
  const count = (value: number): string => value.toLocaleString('en')
  const parts = [
    `${count(summary.pass)} pass`,
    `${count(summary.hold)} hold`,
    `${count(summary.breach)} breach`,
    `${count(summary.trip)} trip`
  ]
  const worst = [
    summary.maxTreatmentErrorRate === null
      ? null
      : `worst treatment error rate ${(summary.maxTreatmentErrorRate * 100).toFixed(1)} %`,
    summary.maxTreatmentP95Ms === null ? null : `worst p95 ${Math.round(summary.maxTreatmentP95Ms)} ms`
  ].filter((part) => part !== null)
  const windows = `${count(summary.windows)} window${summary.windows === 1 ? '' : 's'}`
  return `${windows}: ${parts.join(', ')}${worst.length === 0 ? '' : `; ${worst.join(', ')}`}.`
}

/** The limits the chart draws, as the newest window was judged by them. */
export function thresholdsText(thresholds: ChartThresholds | null): string {
  if (thresholds === null) return 'The windows do not say which limits judged them.'
  const rate = `${(thresholds.maxErrorRate * 100).toFixed(1)} %`
  const factor = `control p95 × ${(1 + thresholds.maxLatencyDegradation).toFixed(2)}`
  return `Limits (as the newest window was judged): error rate ${rate}, p95 ${factor}.`
}

/** What one chart point stands for, when the rollout has more windows than the chart has points. */
export function pointText(windowsPerPoint: number): string | undefined {
  return windowsPerPoint <= 1 ? undefined : `each point is the worst of ${windowsPerPoint} neighbouring windows`
}
