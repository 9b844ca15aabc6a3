import type { EnvironmentView, WorkspaceView } from '@shared/views'
import type { Workspace } from './core/workspace-schema'
import { resolveWorkspacePath } from './core/workspace-lookup'

/** Describes the loaded workspace for the console, without secrets. */
export class WorkspaceService {
  constructor(
    private readonly workspace: Workspace,
    private readonly info: { historyPath: string; historyWarning: () => string | null; actor: string }
  ) {}

  describe(): WorkspaceView {
    const workspace = this.workspace
    const environments: EnvironmentView[] = Object.keys(workspace.environments).map((name) => {
      const config = workspace.environments[name]!
      const source = config.flag_source
      return {
        name,
        protected: config.protected,
        flagSource: {
          kind: source.kind,
          origin:
            source.kind === 'env-file'
              ? resolveWorkspacePath(workspace, source.path)
              : source.kind === 'http'
                ? source.base_url
                : `${source.url} (project ${source.project}, environment ${source.environment})`
        },
        flags: config.flags,
        serviceContainer: config.service.container,
        postgres: {
          container: config.postgres.container,
          database: config.postgres.database,
          disposable: config.postgres.disposable
        }
      }
    })
    return {
      source: workspace.file ?? 'built-in default',
      defaultEnvironment: workspace.defaultEnvironment,
      environments,
      historyPath: this.info.historyPath,
      // Asked each time: the operator may acknowledge a moved-aside file from the CLI meanwhile.
      historyWarning: this.info.historyWarning(),
      actor: this.info.actor
    }
  }
}
