/** The only rollout path. Skipping a phase is offered nowhere. */
export const ROLLOUT_PHASES = [0, 10, 25, 50, 100] as const
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number]

/**
 * Moves an operator may ask for. There is deliberately no "set percentage": enable turns a killed
 * flag on at 0 %, adopt records a hand-set phase as the rollout's position without writing.
 */
export const ROLLOUT_MOVES = ['advance', 'back', 'rollback', 'kill', 'enable', 'adopt'] as const
export type RolloutMove = (typeof ROLLOUT_MOVES)[number]

export type GuardVerdict = 'pass' | 'hold' | 'trip'
