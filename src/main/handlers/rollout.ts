import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function rolloutHandlers(services: Services): Pick<Handlers, 'rollout.status' | 'rollout.move'> {
  return {
    'rollout.status': async ({ environment, flag }) => services.rollout.status(environment, flag),
    // Through the orchestrator: an env-file change restarts the service so it takes effect, and that is recorded.
    'rollout.move': async (input) => services.rolloutOrchestrator.move(input)
  }
}
