import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function demoHandlers(services: Services): Pick<Handlers, 'demo.up' | 'demo.down'> {
  return {
    'demo.up': (input) => services.demo.up(input),
    'demo.down': (input) => services.demo.down(input)
  }
}
