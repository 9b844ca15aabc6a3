import type { EnvironmentView, WorkspaceView } from '../../shared/views'
import type { EnvironmentRegistry } from './environment-registry'

/** Describes the loaded workspace for the console, without secrets. */
export class WorkspaceService {
  constructor(
    private readonly environments: EnvironmentRegistry,
    private readonly info: { historyPath: string; historyWarning: string | null; actor: string }
  ) {}

  describe(): WorkspaceView {
    const workspace = this.environments.workspace
    const environments: EnvironmentView[] = this.environments.names().map((name) => {
      const config = workspace.environments[name]!
      const source = config.flag_source
      return {
        name,
        protected: config.protected,
        flagSource: {
          kind: source.kind,
          origin: source.kind === 'env-file' ? this.environments.resolvePath(source.path) : source.base_url
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
      historyWarning: this.info.historyWarning,
      actor: this.info.actor
    }
  }
}
