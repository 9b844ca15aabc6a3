'use strict'
/**
 * The flags as the service holds them: read from the env file at start, changed only in memory by
 * the admin endpoints (enable, disable, rollout), as the seed's API does. A restart forgets those
 * changes and reads the file again.
 */

const { compileFlag } = require('./flag-rules.js')

class FlagStore {
  constructor(states) {
    this.states = new Map()
    this.evaluators = new Map()
    for (const [flag, state] of Object.entries(states)) this.replace(flag, state)
  }

  flags() {
    return [...this.states.keys()]
  }

  has(flag) {
    return this.states.has(flag)
  }

  /** The state in the API's `config` shape and field order; a copy. */
  config(flag) {
    const state = this.states.get(flag)
    return {
      enabled: state.enabled,
      rollout_percentage: state.rollout_percentage,
      whitelist_users: [...state.whitelist_users],
      blacklist_users: [...state.blacklist_users],
      start_date: state.start_date,
      end_date: state.end_date
    }
  }

  evaluate(flag, user, atEpochMs) {
    return this.evaluators.get(flag)(user, atEpochMs)
  }

  setEnabled(flag, enabled) {
    this.replace(flag, { ...this.states.get(flag), enabled })
  }

  setRollout(flag, percentage) {
    this.replace(flag, { ...this.states.get(flag), rollout_percentage: percentage })
  }

  replace(flag, state) {
    // Compiled once per change, not per request: traffic evaluates thousands of users a minute.
    this.evaluators.set(flag, compileFlag(flag, state))
    this.states.set(flag, { ...state })
  }
}

module.exports = { FlagStore }
