import { describe, expect, it } from 'vitest'
import {
  cohortFiguresFromAnswers,
  DEFAULT_PROMETHEUS_QUERIES,
  expandQuery,
  resolvePrometheusQueries,
  type PrometheusVectorSample
} from '@main/guards/core/prometheus-window'

const sample = (cohort: string, value: string): PrometheusVectorSample => ({ metric: { cohort }, value: [0, value] })

describe('Prometheus window queries', () => {
  it('fills in the window length and the flag, escaped for a PromQL string', () => {
    expect(expandQuery('x{flag="$flag"}[$window] offset $window', { flag: 'a"b\\c', windowSeconds: 60 })).toBe(
      'x{flag="a\\"b\\\\c"}[60s] offset 60s'
    )
  })

  it('takes the configured queries over the defaults, one by one', () => {
    expect(resolvePrometheusQueries({ p95: 'my_p95' })).toEqual({ ...DEFAULT_PROMETHEUS_QUERIES, p95: 'my_p95' })
  })

  it('counts requests without extrapolating: the counter at the end minus the counter at the start', () => {
    expect(DEFAULT_PROMETHEUS_QUERIES.requests).toContain('offset $window')
    expect(DEFAULT_PROMETHEUS_QUERIES.p95).toMatch(/^histogram_quantile\(0\.95, sum by \(cohort, le\)/)
  })
})

describe('cohortFiguresFromAnswers', () => {
  it('reads each cohort from its label', () => {
    const figures = cohortFiguresFromAnswers({
      requests: [sample('treatment', '200'), sample('control', '180')],
      failures: [sample('treatment', '20')],
      p95: [sample('treatment', '140.5'), sample('control', '130')]
    })
    expect(figures).toEqual({
      treatment: { requests: 200, failures: 20, errorRate: 0.1, p95Ms: 140.5 },
      control: { requests: 180, failures: 0, errorRate: 0, p95Ms: 130 }
    })
  })

  it('gives a cohort without samples no requests, so its window can only be a hold', () => {
    const figures = cohortFiguresFromAnswers({ requests: [], failures: [], p95: [sample('treatment', 'NaN')] })
    expect(figures.treatment).toEqual({ requests: 0, failures: 0, errorRate: null, p95Ms: null })
  })

  it('rounds extrapolated counts to whole requests and never counts more failures than requests', () => {
    const figures = cohortFiguresFromAnswers({
      requests: [sample('treatment', '99.6')],
      failures: [sample('treatment', '120.2')],
      p95: [sample('treatment', 'NaN')]
    })
    expect(figures.treatment).toEqual({ requests: 100, failures: 100, errorRate: 1, p95Ms: null })
  })

  it('adds up several series of one cohort as counts and takes the worst as its p95', () => {
    const figures = cohortFiguresFromAnswers({
      requests: [sample('control', '10'), sample('control', '15')],
      failures: [],
      p95: [sample('control', '80'), sample('control', '95')]
    })
    expect(figures.control).toEqual({ requests: 25, failures: 0, errorRate: 0, p95Ms: 95 })
  })
})
