import type { Handlers } from '@main/transport/contract-dispatch'
import type { DemoStack } from './demo-stack'

export function demoHandlers(deps: { demo: DemoStack }): Pick<Handlers, 'demo.up' | 'demo.down'> {
  return {
    'demo.up': (input) => deps.demo.up(input),
    'demo.down': (input) => deps.demo.down(input)
  }
}
