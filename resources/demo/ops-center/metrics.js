'use strict'
/**
 * The service's Prometheus metrics, served at /metrics: every API call counted by the traffic
 * flag's cohort and status code, and its duration in a histogram by cohort. A request is counted
 * exactly when it is logged as an API_CALL in a cohort, so Prometheus and the log give the same
 * counts for the same traffic (docs/sources.md). prom-client comes from Rampart's own dependencies.
 */

const { Counter, Histogram, Registry } = require('prom-client')

// Milliseconds, like the log's duration_ms; fine where the demo's latencies live (about 120 ms),
// coarser above, so a p95 from Prometheus is within one bucket of the log's.
const DURATION_BUCKETS_MS = [
  10, 25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 400, 500, 750, 1000, 1500, 2500, 5000, 10000
]

function createMetrics(flag) {
  const registry = new Registry()
  const requests = new Counter({
    name: 'ops_center_requests_total',
    help: 'API calls, by the traffic flag, its cohort (treatment or control) and the status code',
    labelNames: ['flag', 'cohort', 'status'],
    registers: [registry]
  })
  const duration = new Histogram({
    name: 'ops_center_request_duration_ms',
    help: 'API call duration in milliseconds, by the traffic flag and its cohort',
    labelNames: ['flag', 'cohort'],
    buckets: DURATION_BUCKETS_MS,
    registers: [registry]
  })
  return {
    contentType: registry.contentType,
    /** One API call of `cohort` ('treatment' or 'control'). */
    record(cohort, statusCode, durationMs) {
      requests.inc({ flag, cohort, status: String(statusCode) })
      duration.observe({ flag, cohort }, durationMs)
    },
    text: () => registry.metrics()
  }
}

module.exports = { createMetrics }
