import type { Handlers } from '../contract-dispatch'
import type { Services } from '../app-context'

export function workspaceHandlers(services: Services): Pick<Handlers, 'workspace.describe'> {
  return {
    'workspace.describe': async () => services.workspace.describe()
  }
}
