/**
 * The rollout phase machine (docs/design.md "Rollouts"): where a percentage sits on the path,
 * which moves are offered from there, and whether a requested move may be written. It lives in
 * three files (position, state difference, move plan); this module is the one place callers import.
 */
export { isRolloutPhase, nextPhase, previousPhase, rolloutPosition } from '@main/flags/core/rollout-position'
export { differingFields } from '@main/flags/core/flag-state-difference'
export {
  ADVANCE_GATE_TEXT,
  advanceGate,
  allowedMoves,
  planMove,
  type GuardSnapshot,
  type MoveRefusal,
  type MoveRequest
} from './rollout-move-plan'
