import type { Handlers } from '@main/transport/contract-dispatch'
import type { AppliedMoves } from './applied-moves'
import type { RolloutService } from './rollout-service'

export function rolloutHandlers(deps: {
  rollout: Pick<RolloutService, 'status'>
  moves: Pick<AppliedMoves, 'move'>
}): Pick<Handlers, 'rollout.status' | 'rollout.move'> {
  return {
    'rollout.status': async ({ environment, flag }) => deps.rollout.status(environment, flag),
    // Applied: an env-file change restarts the service so it takes effect, and that is recorded.
    'rollout.move': async (input) => deps.moves.move(input)
  }
}
