import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function rolloutHandlers(services: Services): Pick<Handlers, 'rollout.status' | 'rollout.move'> {
  return {
    'rollout.status': async ({ environment, flag }) => services.rollout.status(environment, flag),
    'rollout.move': async (input) => services.rollout.move(input)
  }
}
