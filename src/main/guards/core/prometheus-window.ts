import type { CohortFigures } from './guard-decision'

/**
 * Guard windows from Prometheus (docs/sources.md): three PromQL expressions evaluated at a
 * window's end, each answering one value per cohort (a `cohort` label of `treatment` or
 * `control`). Pure: the queries' text and the reading of their answers; the HTTP is the provider's.
 */

export interface PrometheusQueries {
  /** Requests per cohort in the window. */
  requests: string
  /** Failed requests (status 5xx) per cohort in the window. */
  failures: string
  /** The 95th percentile duration in milliseconds per cohort over the window. */
  p95: string
}

/** One element of an instant vector, as the HTTP API gives it: labels and [time, "value"]. */
export interface PrometheusVectorSample {
  metric: Record<string, string>
  value: [number, string]
}

const COHORT_LABEL = 'cohort'

/**
 * How much a counter grew from the window's start to its end, exactly: the last sample at or
 * before the end minus the last at or before the start. `increase()` would extrapolate to the
 * window's edges and give 222.2 for 200 requests; a whole count is what the log gives and what
 * min_requests means. A series born inside the window counts from zero; a series whose counter
 * reset inside it (the service restarted) falls back to `increase()`, which handles resets.
 */
function windowIncrease(selector: string): string {
  return (
    `(${selector} - ${selector} offset $window unless resets(${selector}[$window]) > 0)` +
    ` or (${selector} unless ${selector} offset $window)` +
    ` or increase(${selector}[$window])`
  )
}

const REQUESTS = 'ops_center_requests_total{flag="$flag"}'
const FAILURES = 'ops_center_requests_total{flag="$flag",status=~"5.."}'
const DURATION_BUCKETS = 'ops_center_request_duration_ms_bucket{flag="$flag"}'

/** The queries that fit the demo service's /metrics (resources/demo/ops-center/metrics.js). */
export const DEFAULT_PROMETHEUS_QUERIES: PrometheusQueries = Object.freeze({
  requests: `sum by (cohort) (${windowIncrease(REQUESTS)})`,
  failures: `sum by (cohort) (${windowIncrease(FAILURES)})`,
  p95: `histogram_quantile(0.95, sum by (cohort, le) (${windowIncrease(DURATION_BUCKETS)}))`
})

/** The configured queries over the defaults. */
export function resolvePrometheusQueries(configured: Partial<PrometheusQueries>): PrometheusQueries {
  return {
    requests: configured.requests ?? DEFAULT_PROMETHEUS_QUERIES.requests,
    failures: configured.failures ?? DEFAULT_PROMETHEUS_QUERIES.failures,
    p95: configured.p95 ?? DEFAULT_PROMETHEUS_QUERIES.p95
  }
}

/** `$window` becomes the window's length (`60s`), `$flag` the flag's name escaped for a PromQL string. */
export function expandQuery(template: string, values: { flag: string; windowSeconds: number }): string {
  const flag = values.flag.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
  return template.replace(/\$window\b/g, `${values.windowSeconds}s`).replace(/\$flag\b/g, flag)
}

export interface CohortAnswers {
  requests: readonly PrometheusVectorSample[]
  failures: readonly PrometheusVectorSample[]
  p95: readonly PrometheusVectorSample[]
}

/**
 * Both cohorts' figures from the three answers. A cohort absent from an answer had no samples:
 * 0 requests, so the window is a hold, never a pass. Counts are rounded to whole requests (a
 * configured `increase()` query answers fractions); a p95 of NaN (no observation) is null.
 */
export function cohortFiguresFromAnswers(answers: CohortAnswers): { treatment: CohortFigures; control: CohortFigures } {
  const figures = (cohort: string): CohortFigures => {
    const requests = Math.max(0, Math.round(valueOf(answers.requests, cohort) ?? 0))
    if (requests === 0) return { requests: 0, failures: 0, errorRate: null, p95Ms: null }
    const failures = Math.min(requests, Math.max(0, Math.round(valueOf(answers.failures, cohort) ?? 0)))
    const p95 = valueOf(answers.p95, cohort, 'max')
    return {
      requests,
      failures,
      errorRate: failures / requests,
      p95Ms: p95 === null || !Number.isFinite(p95) ? null : p95
    }
  }
  return { treatment: figures('treatment'), control: figures('control') }
}

/**
 * The value of the samples labelled with `cohort`; null when there is none or one is not a
 * number. Several samples for one cohort (a query without `sum by (cohort)`) are added up as
 * counts, and the worst is taken as a percentile.
 */
function valueOf(
  samples: readonly PrometheusVectorSample[],
  cohort: string,
  several: 'sum' | 'max' = 'sum'
): number | null {
  let result: number | null = null
  for (const sample of samples) {
    if (sample.metric[COHORT_LABEL] !== cohort) continue
    const value = Number(sample.value[1])
    if (Number.isNaN(value)) return null
    result = result === null ? value : several === 'sum' ? result + value : Math.max(result, value)
  }
  return result
}
