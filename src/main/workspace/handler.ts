import type { Handlers } from '@main/transport/contract-dispatch'
import type { WorkspaceService } from './workspace-service'

export function workspaceHandlers(deps: { workspace: WorkspaceService }): Pick<Handlers, 'workspace.describe'> {
  return {
    'workspace.describe': async () => deps.workspace.describe()
  }
}
