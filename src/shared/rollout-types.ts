/** The only rollout path. Skipping a phase is offered nowhere. */
export const ROLLOUT_PHASES = [0, 10, 25, 50, 100] as const
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number]

/** Moves an operator may ask for. There is deliberately no "set percentage". */
export const ROLLOUT_MOVES = ['advance', 'back', 'rollback', 'kill'] as const
export type RolloutMove = (typeof ROLLOUT_MOVES)[number]

export type GuardVerdict = 'pass' | 'hold' | 'trip'
