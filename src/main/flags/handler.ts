import type { Handlers } from '@main/transport/contract-dispatch'
import type { FlagService } from './flag-service'

export function flagHandlers(deps: {
  flags: FlagService
}): Pick<Handlers, 'flags.list' | 'flags.get' | 'flags.evaluate'> {
  const { flags } = deps
  return {
    'flags.list': async ({ environment }) => flags.list(environment),
    'flags.get': async ({ environment, flag }) => flags.get(environment, flag),
    'flags.evaluate': async ({ environment, flag, user, at }) =>
      flags.evaluate(environment, flag, user, at === undefined ? undefined : Date.parse(at))
  }
}
