import { GUARD_THRESHOLD_KEYS, type GuardThresholds } from '@shared/schemas/guard-settings'
import type { GuardSnapshot } from './rollout-move-plan'

/** One judged guard window, as far as the rollout needs to know it. */
export interface JudgedWindow {
  windowStartEpochMs: number
  decision: 'pass' | 'hold' | 'breach' | 'trip'
}

/**
 * What the guards say about the current phase, from its windows in time order.
 * Only windows since the phase was entered count: a pass at 10 % says nothing about 25 %.
 * A breach that has not (yet) tripped is not a pass, so it reads as `hold`.
 */
export function summarizeGuardWindows(windows: readonly JudgedWindow[], sinceEpochMs: number | null): GuardSnapshot {
  const relevant = windows.filter((window) => sinceEpochMs === null || window.windowStartEpochMs >= sinceEpochMs)
  const latest = relevant.at(-1)
  if (latest === undefined) return { verdict: 'none', tripped: false, breached: false, passSinceEpochMs: null }
  const tripped = relevant.some((window) => window.decision === 'trip')
  const breached = relevant.some((window) => window.decision === 'breach' || window.decision === 'trip')
  let passSinceEpochMs: number | null = null
  for (let index = relevant.length - 1; index >= 0; index -= 1) {
    const window = relevant[index]!
    if (window.decision !== 'pass') break
    passSinceEpochMs = window.windowStartEpochMs
  }
  const verdict = tripped ? 'trip' : latest.decision === 'pass' ? 'pass' : 'hold'
  return { verdict, tripped, breached, passSinceEpochMs }
}

/**
 * Whether a stored window may speak for the environment's rollout: a window judged with other
 * thresholds (a `guards watch --guards looser.json` session) must not let a phase advance.
 * Windows that do not say which thresholds judged them are taken at their word.
 */
export function judgedWithThresholds(figures: unknown, thresholds: GuardThresholds): boolean {
  if (typeof figures !== 'object' || figures === null) return true
  const used = (figures as { settings?: unknown }).settings
  if (typeof used !== 'object' || used === null) return true
  return GUARD_THRESHOLD_KEYS.every((key) => (used as Record<string, unknown>)[key] === thresholds[key])
}
