'use strict'
/**
 * The service's own traffic: simulated users calling the old pages (control) or the new LLM hub
 * (treatment, when the flag is on for them), each request one API_CALL line on stdout with the
 * canonical fields, and every Nth request preceded by the FEATURE_FLAG evaluation behind it.
 * Status and latency come from the cohort's fault settings, read at each request, so a change
 * through POST /demo/faults shows in the very next lines.
 */

const { normal } = require('./seeded-random.js')

const TICK_MS = 100
// After a stall (a paused container, a stopped debugger) at most this much traffic is caught up.
const MAX_CATCH_UP_SECONDS = 5
const ENDPOINTS = {
  treatment: [
    { method: 'GET', endpoint: '/admin/llm-hub' },
    { method: 'GET', endpoint: '/api/v1/llm-hub/providers' },
    { method: 'GET', endpoint: '/api/v1/llm-hub/models' },
    { method: 'POST', endpoint: '/api/v1/llm-hub/provider-keys' }
  ],
  control: [
    { method: 'GET', endpoint: '/admin/llm-provider-keys' },
    { method: 'GET', endpoint: '/api/v1/llm/provider-keys' },
    { method: 'GET', endpoint: '/api/v1/llm/models' },
    { method: 'POST', endpoint: '/api/v1/llm/provider-keys' }
  ]
}
const FAILURE_STATUSES = [500, 500, 500, 502, 503]

/** user-0000@example.com … for `count` users, then the listed users not already there. */
function simulatedUsers(count, listed) {
  const width = Math.max(4, String(Math.max(count - 1, 0)).length)
  const users = []
  for (let i = 0; i < count; i += 1) users.push(`user-${String(i).padStart(width, '0')}@example.com`)
  const known = new Set(users)
  for (const user of listed) if (!known.has(user)) users.push(user)
  return users
}

class TrafficGenerator {
  /**
   * options: users (ids), rps, random (() => [0,1)), flags (FlagStore), trafficFlag (decides the
   * cohort), faults (() => current settings), flagEventEvery (0: never), write (text), now (() => Date)
   * and metrics (optional: record(cohort, status, durationMs) for each request, as it is logged).
   */
  constructor(options) {
    this.options = options
    this.timer = null
    this.due = 0
    this.lastMs = 0
    this.generated = 0
  }

  start() {
    this.lastMs = this.options.now().getTime()
    this.timer = setInterval(() => this.tick(), TICK_MS)
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  /** A new rate from now on (POST /demo/traffic); 0 pauses the traffic. */
  setRps(rps) {
    this.options.rps = rps
    // Nothing owed at the old rate is sent at the new one.
    this.due = 0
  }

  /** Requests owed since the last tick, by the clock, so the rate holds when timers run late. */
  tick() {
    const now = this.options.now()
    const elapsedSeconds = Math.min((now.getTime() - this.lastMs) / 1000, MAX_CATCH_UP_SECONDS)
    this.lastMs = now.getTime()
    this.due += this.options.rps * Math.max(elapsedSeconds, 0)
    const count = Math.floor(this.due)
    if (count === 0) return
    this.due -= count
    this.options.write(this.requests(count, now))
  }

  /** `count` requests at `at`, as the JSON lines to write (newline-terminated). */
  requests(count, at) {
    const { users, random, flags, trafficFlag, faults, flagEventEvery } = this.options
    const timestamp = at.toISOString()
    const atMs = at.getTime()
    const settings = faults()
    const names = flags.flags()
    const lines = []
    for (let i = 0; i < count; i += 1) {
      const user = users[Math.floor(random() * users.length)]
      const served = {}
      let evaluation = null
      for (const flag of names) {
        const result = flags.evaluate(flag, user, atMs)
        served[flag] = result.enabled
        if (flag === trafficFlag) evaluation = result
      }
      const cohort = evaluation.enabled ? 'treatment' : 'control'
      this.generated += 1
      if (flagEventEvery > 0 && this.generated % flagEventEvery === 0) {
        lines.push(
          JSON.stringify({
            timestamp,
            event_type: 'FEATURE_FLAG',
            user_id: user,
            flag: trafficFlag,
            enabled: evaluation.enabled,
            reason: evaluation.reason
          })
        )
      }
      const cohortSettings = settings[cohort]
      const route = ENDPOINTS[cohort][Math.floor(random() * ENDPOINTS[cohort].length)]
      const failed = random() < cohortSettings.failure_rate
      const status = failed
        ? FAILURE_STATUSES[Math.floor(random() * FAILURE_STATUSES.length)]
        : route.method === 'POST'
          ? 201
          : 200
      const duration = Math.max(
        1,
        Math.round(cohortSettings.latency_ms + cohortSettings.latency_jitter_ms * normal(random))
      )
      this.options.metrics?.record(cohort, status, duration)
      lines.push(
        JSON.stringify({
          timestamp,
          event_type: 'API_CALL',
          user_id: user,
          status_code: status,
          duration_ms: duration,
          endpoint: route.endpoint,
          method: route.method,
          flags: served
        })
      )
    }
    return `${lines.join('\n')}\n`
  }
}

module.exports = { TrafficGenerator, simulatedUsers }
