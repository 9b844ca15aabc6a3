import { loadWorkspace } from '@main/workspace/workspace-file'
import { DockerEngines } from '@main/docker/docker-engines'
import { LogService } from '@main/docker/log-service'
import { systemClock } from '@main/platform/clock'
import type { AppContextOptions } from './app-context'

/**
 * What `rampart logs` needs: the workspace and the environment's Docker engine. No history file,
 * flag sources, database or runbooks: reading logs records nothing, and what is not loaded
 * takes no memory while half a million lines pass through.
 */
export function createLogsContext(options: AppContextOptions = {}): { logs: LogService; close(): void } {
  const env = options.env ?? process.env
  const workspace = loadWorkspace({ explicitPath: options.workspacePath, env, cwd: options.cwd ?? process.cwd() })
  const docker = new DockerEngines(workspace, env)
  return { logs: new LogService(docker, options.clock ?? systemClock), close: () => docker.close() }
}
