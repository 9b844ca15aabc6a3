import type { GuardThresholds } from '@shared/schemas/guard-settings'

/**
 * The verdict on one guard window (docs/design.md "Guards"), from the two cohorts' figures and
 * the number of breaches in a row before it. Pure: the engine and tests call it alike.
 */

export type GuardDecision = 'pass' | 'hold' | 'breach' | 'trip'

export interface CohortFigures {
  requests: number
  /** Requests with status_code >= 500. */
  failures: number
  /** failures / requests; null without requests. */
  errorRate: number | null
  /** Nearest-rank 95th percentile of duration_ms; null without requests. */
  p95Ms: number | null
}

export interface WindowDecision {
  decision: GuardDecision
  /** Why, one sentence per rule that decided, with the figures and the limits. */
  reasons: string[]
  /** Breaches in a row after this window: 0 after a pass and after a trip, unchanged by a hold. */
  breachStreak: number
}

/**
 * - hold: treatment has fewer than min_requests (too little data is neither failure nor pass);
 * - breach: treatment error rate > max_error_rate, or control has min_requests and treatment
 *   p95 > (1 + max_latency_degradation) × control p95;
 * - trip: the breach that makes breach_windows in a row; the count then starts again, so a
 *   regression that persists trips again every breach_windows windows, not on every window;
 * - pass otherwise; a pass resets the count, a hold leaves it.
 */
export function decideWindow(
  treatment: CohortFigures,
  control: CohortFigures,
  settings: GuardThresholds,
  breachStreak: number
): WindowDecision {
  const minRequests = settings.min_requests
  if (treatment.requests < minRequests || treatment.errorRate === null) {
    return {
      decision: 'hold',
      reasons: [`treatment ${treatment.requests} requests < min_requests ${minRequests}`],
      breachStreak
    }
  }

  const breaches: string[] = []
  const passes: string[] = []
  const maxErrorRate = settings.max_error_rate
  const shownRate = formatAgainst(treatment.errorRate, maxErrorRate)
  if (treatment.errorRate > maxErrorRate) breaches.push(`treatment error rate ${shownRate} > ${maxErrorRate}`)
  else passes.push(`treatment error rate ${shownRate} ≤ ${maxErrorRate}`)

  if (control.requests < minRequests) {
    passes.push(`control ${control.requests} requests < min_requests ${minRequests}: latency not compared`)
  } else if (treatment.p95Ms !== null && control.p95Ms !== null) {
    const factor = 1 + settings.max_latency_degradation
    const slower = treatment.p95Ms > factor * control.p95Ms
    const [shownTreatment, shownControl] = formatLatencies(treatment.p95Ms, control.p95Ms, factor, slower)
    const comparison =
      `treatment p95 ${shownTreatment} ms ${slower ? '>' : '≤'} ` +
      `${trimmed(factor, 6)} × control p95 ${shownControl} ms`
    if (slower) breaches.push(comparison)
    else passes.push(comparison)
  }

  if (breaches.length === 0) return { decision: 'pass', reasons: passes, breachStreak: 0 }
  const streak = breachStreak + 1
  const needed = settings.breach_windows
  if (streak >= needed) {
    return {
      decision: 'trip',
      reasons: [...breaches, `${streak} breaches in a row (breach_windows ${needed}): trip`],
      breachStreak: 0
    }
  }
  return { decision: 'breach', reasons: [...breaches, `breach ${streak} of ${needed} in a row`], breachStreak: streak }
}

/**
 * A rate short enough to read (0.1234), but never so rounded that it seems to contradict the
 * comparison it appears in ("0.05 > 0.05"): digits are added until the shown value falls on
 * the same side of the limit as the real one.
 */
function formatAgainst(value: number, limit: number): string {
  const above = value > limit
  for (let digits = 4; digits <= 12; digits += 1) {
    const shown = trimmed(value, digits)
    if (Number(shown) > limit === above) return shown
  }
  return String(value)
}

/** Durations to two decimals, unless that rounding would make the comparison read the wrong way. */
function formatLatencies(treatmentMs: number, controlMs: number, factor: number, slower: boolean): [string, string] {
  const shownTreatment = trimmed(treatmentMs, 2)
  const shownControl = trimmed(controlMs, 2)
  if (Number(shownTreatment) > factor * Number(shownControl) === slower) return [shownTreatment, shownControl]
  return [String(treatmentMs), String(controlMs)]
}

function trimmed(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)))
}
