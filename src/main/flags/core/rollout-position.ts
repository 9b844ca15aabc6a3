import { RampartError } from '@shared/errors'
import { ROLLOUT_PHASES, type RolloutPhase } from '@shared/rollout-types'

/**
 * Where a rollout percentage sits relative to the only path 0 → 10 → 25 → 50 → 100:
 * on a phase, or off the path ("drift", e.g. 37 % set by hand) between two phases.
 */
export type RolloutPosition =
  | { kind: 'phase'; phase: RolloutPhase; index: number }
  | { kind: 'drift'; percentage: number; phaseBelow: RolloutPhase }

export const ROLLOUT_PATH_TEXT = ROLLOUT_PHASES.join(' → ')

export function isRolloutPhase(percentage: number): percentage is RolloutPhase {
  return (ROLLOUT_PHASES as readonly number[]).includes(percentage)
}

export function rolloutPosition(percentage: number): RolloutPosition {
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
    throw new RampartError('bad_input', `rollout percentage ${String(percentage)} is not a whole number from 0 to 100`)
  }
  const index = (ROLLOUT_PHASES as readonly number[]).indexOf(percentage)
  if (index >= 0) return { kind: 'phase', phase: ROLLOUT_PHASES[index] as RolloutPhase, index }
  // 0 is a phase and 100 is a phase, so any drift value has a phase below it.
  const phaseBelow = ROLLOUT_PHASES.filter((phase) => phase < percentage).at(-1) as RolloutPhase
  return { kind: 'drift', percentage, phaseBelow }
}

export function nextPhase(phase: RolloutPhase): RolloutPhase | null {
  return ROLLOUT_PHASES[phaseIndex(phase) + 1] ?? null
}

export function previousPhase(phase: RolloutPhase): RolloutPhase | null {
  const index = phaseIndex(phase)
  return index === 0 ? null : (ROLLOUT_PHASES[index - 1] as RolloutPhase)
}

function phaseIndex(phase: RolloutPhase): number {
  const index = (ROLLOUT_PHASES as readonly number[]).indexOf(phase)
  // The type says this cannot happen; a value from an untyped caller must not be read as index -1.
  if (index < 0) {
    throw new RampartError('bad_input', `${String(phase)} % is not a rollout phase; the path is ${ROLLOUT_PATH_TEXT}`)
  }
  return index
}
