import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function flagHandlers(services: Services): Pick<Handlers, 'flags.list' | 'flags.get' | 'flags.evaluate'> {
  return {
    'flags.list': async ({ environment }) => services.flags.list(environment),
    'flags.get': async ({ environment, flag }) => services.flags.get(environment, flag),
    'flags.evaluate': async ({ environment, flag, user, at }) =>
      services.flags.evaluate(environment, flag, user, at === undefined ? undefined : Date.parse(at))
  }
}
