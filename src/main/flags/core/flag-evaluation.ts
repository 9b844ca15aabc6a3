import { RampartError } from '@shared/errors'
import type { FlagEvaluation, FlagState } from '@shared/flag-state'
import { parseDateGate, type DateGateEdge } from './date-gate'
import { flagBucket } from './flag-bucket'

/** A flag's state prepared once, evaluated for any user at any instant (epoch ms). */
export type FlagEvaluator = (user: string | null | undefined, atEpochMs: number) => FlagEvaluation

/**
 * Whose rules decide the two points where flag systems differ. `rampart` (the env file, the
 * service's API): list entries match ignoring case and surrounding space, and a request without a
 * user is in at 100 %. `unleash` (a flag in an Unleash server, docs/sources.md): as its SDKs do,
 * a user id matches a list entry exactly, and a request without one is never in the rollout
 * (`flexibleRollout` with stickiness `userId` has nothing to hash).
 */
export type FlagRules = 'rampart' | 'unleash'

/**
 * Prepares `state` of flag `flag` for evaluating many users: the lists become sets of
 * normalised ids and the date gates become instants, once. Throws a `bad_input`
 * RampartError naming the field when the state holds a malformed date or percentage.
 *
 * Rules, first match wins (docs/design.md "Feature flags → Evaluation"): disabled, blacklisted,
 * whitelisted, before_start, after_end, no user (in only at 100), bucket within the
 * percentage, otherwise outside the rollout.
 */
export function compileFlag(flag: string, state: FlagState, rules: FlagRules = 'rampart'): FlagEvaluator {
  const percentage = checkedPercentage(flag, state.rollout_percentage)
  const startMs = gateInstant(flag, 'start_date', state.start_date, 'start')
  const endMs = gateInstant(flag, 'end_date', state.end_date, 'end')
  const exact = rules === 'unleash'
  const blacklist = listSet(state.blacklist_users, exact)
  const whitelist = listSet(state.whitelist_users, exact)
  const enabled = state.enabled

  return (user, atEpochMs) => {
    if (!Number.isFinite(atEpochMs)) {
      throw new RampartError('bad_input', `evaluating flag ${flag}: the instant ${atEpochMs} is not a valid time`)
    }
    const present = isPresent(user)
    // The bucket is reported even when an earlier rule decides, so an operator can see
    // where the user would land once the rule no longer applies.
    const bucket = present ? flagBucket(flag, user) : null

    if (!enabled) return { enabled: false, reason: 'disabled', bucket }
    if (present && (blacklist.size > 0 || whitelist.size > 0)) {
      const listed = exact ? user : normaliseListEntry(user)
      if (blacklist.has(listed)) return { enabled: false, reason: 'blacklisted', bucket }
      if (whitelist.has(listed)) return { enabled: true, reason: 'whitelisted', bucket }
    }
    if (startMs !== null && atEpochMs < startMs) return { enabled: false, reason: 'before_start', bucket }
    if (endMs !== null && atEpochMs > endMs) return { enabled: false, reason: 'after_end', bucket }
    if (bucket === null) {
      return percentage === 100 && !exact
        ? { enabled: true, reason: 'in_rollout', bucket }
        : { enabled: false, reason: 'outside_rollout', bucket }
    }
    if (percentage > 0 && bucket <= percentage) return { enabled: true, reason: 'in_rollout', bucket }
    return { enabled: false, reason: 'outside_rollout', bucket }
  }
}

/** Evaluates flag `flag` in `state` for `user` (absent: null, undefined or '') at `atEpochMs`. */
export function evaluateFlag(
  flag: string,
  state: FlagState,
  user: string | null | undefined,
  atEpochMs: number,
  rules: FlagRules = 'rampart'
): FlagEvaluation {
  return compileFlag(flag, state, rules)(user, atEpochMs)
}

// An empty id is treated as no id, as Unleash SDKs do: hashing "" would put every
// anonymous caller in the same bucket instead of applying the "absent user" rule.
function isPresent(user: string | null | undefined): user is string {
  return user !== null && user !== undefined && user !== ''
}

function normaliseListEntry(id: string): string {
  return id.trim().toLowerCase()
}

function listSet(ids: readonly string[], exact: boolean): Set<string> {
  const set = new Set<string>()
  for (const id of ids) {
    // Exact (Unleash): entries are trimmed as its SDKs trim them, the user id is taken as given.
    const normalised = exact ? id.trim() : normaliseListEntry(id)
    // A blank entry (e.g. from "a,,b" in an env file) must not match a blank user id.
    if (normalised !== '') set.add(normalised)
  }
  return set
}

function gateInstant(
  flag: string,
  field: 'start_date' | 'end_date',
  value: string | null,
  edge: DateGateEdge
): number | null {
  const parsed = parseDateGate(value, edge)
  if (!parsed.ok) throw new RampartError('bad_input', `flag ${flag}: ${field} ${parsed.message}`)
  return parsed.epochMs
}

function checkedPercentage(flag: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new RampartError(
      'bad_input',
      `flag ${flag}: rollout_percentage ${String(value)} is not a whole percentage 0..100`
    )
  }
  return value
}
