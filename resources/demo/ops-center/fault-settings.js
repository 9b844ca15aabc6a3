'use strict'
/**
 * How treatment and control requests behave: failure rate and latency per cohort. Changed at run
 * time through POST /demo/faults, so a regression can be injected in the middle of a rollout.
 */

const COHORTS = ['treatment', 'control']
const DEFAULT_COHORT = Object.freeze({ failure_rate: 0.01, latency_ms: 120, latency_jitter_ms: 30 })
const LIMITS = {
  failure_rate: { min: 0, max: 1, what: 'a fraction from 0 to 1 (0.2 = 20 % of requests fail)' },
  latency_ms: { min: 0, max: 600000, what: 'a mean latency in milliseconds, 0 to 600000' },
  latency_jitter_ms: { min: 0, max: 600000, what: 'a standard deviation in milliseconds, 0 to 600000' }
}

class FaultSettingsError extends Error {}

function defaultFaults() {
  return { treatment: { ...DEFAULT_COHORT }, control: { ...DEFAULT_COHORT } }
}

/**
 * `current` with `change` applied; `change` may name one or both cohorts and any of their fields.
 * Throws a FaultSettingsError naming the field when the change is not valid; `current` is not touched.
 */
function applyFaultChange(current, change, origin) {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new FaultSettingsError(`${origin}: expected a JSON object like {"treatment":{"failure_rate":0.2}}`)
  }
  const next = { treatment: { ...current.treatment }, control: { ...current.control } }
  for (const [cohort, fields] of Object.entries(change)) {
    if (!COHORTS.includes(cohort))
      throw new FaultSettingsError(`${origin}: "${cohort}" is not a cohort (treatment or control)`)
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new FaultSettingsError(`${origin}: ${cohort} must be an object like {"failure_rate":0.2,"latency_ms":300}`)
    }
    for (const [field, value] of Object.entries(fields)) {
      const limit = LIMITS[field]
      if (limit === undefined) {
        throw new FaultSettingsError(
          `${origin}: ${cohort}.${field} is not a setting (${Object.keys(LIMITS).join(', ')})`
        )
      }
      if (typeof value !== 'number' || !Number.isFinite(value) || value < limit.min || value > limit.max) {
        throw new FaultSettingsError(`${origin}: ${cohort}.${field} ${JSON.stringify(value)} is not ${limit.what}`)
      }
      next[cohort][field] = value
    }
  }
  return next
}

module.exports = { FaultSettingsError, defaultFaults, applyFaultChange }
