import type { FlagState } from '@shared/flag-state'

/**
 * A feature's strategies in one Unleash environment, read as Rampart's flag state
 * (docs/sources.md "Unleash flag source"). Pure: the Admin API's JSON in, a state or the reasons
 * it cannot be one out. The shape Rampart reads, and nothing looser, is the one an Unleash SDK
 * evaluates exactly as Rampart's rules do:
 *
 * - the environment's `enabled` is `enabled`;
 * - exactly one `flexibleRollout` strategy without a `userId IN` constraint, stickiness `userId`,
 *   `groupId` the flag's name, `rollout` a whole 0–100: `rollout_percentage`; its
 *   `currentTime DATE_AFTER` / `DATE_BEFORE` constraints are `start_date` / `end_date`;
 * - at most one allow-list strategy: `userWithId` (`userIds`), or `default` / `flexibleRollout`
 *   at 100 with a `userId IN` constraint: `whitelist_users` (no date constraint: the allow list
 *   is not gated by dates, as in Rampart);
 * - the deny list, `userId NOT_IN`, the same on every strategy: `blacklist_users`;
 * - no other strategy, constraint, inverted constraint or segment. Disabled strategies are ignored.
 */

export interface UnleashConstraint {
  contextName: string
  operator: string
  value?: string
  values?: string[]
  inverted?: boolean
  caseInsensitive?: boolean
}

export interface UnleashStrategy {
  id: string
  name: string
  parameters?: Record<string, unknown>
  constraints?: UnleashConstraint[]
  segments?: unknown[]
  disabled?: boolean | null
  sortOrder?: number
}

export interface UnleashEnvironment {
  name: string
  enabled: boolean
  strategies: UnleashStrategy[]
}

export type UnleashReading =
  { ok: true; state: FlagState; rolloutStrategyId: string } | { ok: false; enabled: boolean; reasons: string[] }

const DAY_END = 'T23:59:59.999Z'
const DAY_START = 'T00:00:00.000Z'

export function readUnleashEnvironment(flag: string, environment: UnleashEnvironment): UnleashReading {
  const reasons: string[] = []
  const active = environment.strategies.filter((strategy) => strategy.disabled !== true)
  let rollout: { strategy: UnleashStrategy; percentage: number; start: string | null; end: string | null } | null = null
  let allowList: string[] | null = null
  const denyLists: Array<{ strategy: string; users: string[] }> = []

  for (const strategy of active) {
    const where = `strategy "${strategy.name}" (${strategy.id})`
    if ((strategy.segments ?? []).length > 0) reasons.push(`${where} uses segments`)
    const constraints = strategy.constraints ?? []
    let deny: string[] = []
    let allow: string[] | null = null
    let start: string | null = null
    let end: string | null = null
    for (const constraint of constraints) {
      const what = `${where}: constraint ${constraint.contextName} ${constraint.operator}`
      if (constraint.inverted === true) {
        reasons.push(`${what} is inverted`)
      } else if (constraint.contextName === 'userId' && constraint.operator === 'NOT_IN') {
        deny = [...deny, ...cleanValues(constraint.values)]
      } else if (constraint.contextName === 'userId' && constraint.operator === 'IN' && allow === null) {
        allow = cleanValues(constraint.values)
      } else if (constraint.contextName === 'currentTime' && constraint.operator === 'DATE_AFTER' && start === null) {
        start = shiftedGate(constraint.value, +1, 'start')
        if (start === null) reasons.push(`${what} has no valid date`)
      } else if (constraint.contextName === 'currentTime' && constraint.operator === 'DATE_BEFORE' && end === null) {
        end = shiftedGate(constraint.value, -1, 'end')
        if (end === null) reasons.push(`${what} has no valid date`)
      } else {
        reasons.push(`${what} has no place in Rampart's state`)
      }
    }
    denyLists.push({ strategy: where, users: deny })
    const parameters = strategy.parameters ?? {}

    if (allow === null && strategy.name === 'flexibleRollout') {
      const percentage = wholePercentage(parameters.rollout)
      if (parameters.stickiness !== 'userId')
        reasons.push(`${where} has stickiness "${String(parameters.stickiness)}"; Rampart's buckets are by userId`)
      if (parameters.groupId !== flag)
        reasons.push(`${where} has groupId "${String(parameters.groupId)}"; Rampart's buckets need the flag's name`)
      if (percentage === null) reasons.push(`${where} has rollout "${String(parameters.rollout)}", not a whole 0–100`)
      if (rollout !== null) reasons.push(`${where} is a second flexibleRollout strategy`)
      else rollout = { strategy, percentage: percentage ?? 0, start, end }
      continue
    }
    const listed =
      strategy.name === 'userWithId' && allow === null
        ? cleanValues(String(parameters.userIds ?? '').split(','))
        : (strategy.name === 'default' ||
              (strategy.name === 'flexibleRollout' && wholePercentage(parameters.rollout) === 100)) &&
            allow !== null
          ? allow
          : null
    if (listed === null) {
      reasons.push(`${where} is neither the rollout nor an allow list of user ids`)
    } else if (start !== null || end !== null) {
      reasons.push(`${where} is an allow list with date constraints; Rampart's allow list is not gated by dates`)
    } else if (allowList !== null) {
      reasons.push(`${where} is a second allow list`)
    } else {
      allowList = listed
    }
  }

  if (rollout === null && active.length > 0) reasons.push('no flexibleRollout strategy holds the rollout percentage')
  if (active.length === 0) reasons.push(`no strategy in environment "${environment.name}"`)
  const firstDeny = denyLists[0]?.users ?? []
  for (const deny of denyLists.slice(1)) {
    if (!sameSet(deny.users, firstDeny)) {
      reasons.push(`${deny.strategy} does not carry the same userId NOT_IN list as the others`)
    }
  }
  if (reasons.length > 0 || rollout === null) return { ok: false, enabled: environment.enabled, reasons }
  return {
    ok: true,
    rolloutStrategyId: rollout.strategy.id,
    state: {
      enabled: environment.enabled,
      rollout_percentage: rollout.percentage,
      whitelist_users: allowList ?? [],
      blacklist_users: firstDeny,
      start_date: rollout.start,
      end_date: rollout.end
    }
  }
}

/** As an Unleash SDK reads a list: blank entries dropped, the others trimmed. */
function cleanValues(values: readonly string[] | undefined): string[] {
  return (values ?? []).filter((value) => value.trim() !== '').map((value) => value.trim())
}

function wholePercentage(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : ''
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) return null
  return Number(text)
}

/**
 * DATE_AFTER is strictly after and DATE_BEFORE strictly before, while Rampart's gates include
 * their instant: the gate is one millisecond on. A gate at a day's first (start) or last (end)
 * millisecond reads as the date alone.
 */
function shiftedGate(value: string | undefined, shiftMs: number, edge: 'start' | 'end'): string | null {
  const epochMs = value === undefined ? Number.NaN : Date.parse(value)
  if (Number.isNaN(epochMs)) return null
  const iso = new Date(epochMs + shiftMs).toISOString()
  if (edge === 'start' && iso.endsWith(DAY_START)) return iso.slice(0, 10)
  if (edge === 'end' && iso.endsWith(DAY_END)) return iso.slice(0, 10)
  return iso
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a)
  return set.size === new Set(b).size && b.every((value) => set.has(value))
}
