import { loadWorkspace } from '@main/workspace/workspace-file'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { FlagService } from '@main/flags/flag-service'
import { systemClock } from '@main/platform/clock'
import type { AppContextOptions } from './app-context'

/**
 * What reading flags needs (`flags list`, `flags get`, `flags eval`, reading a flag for a guard
 * replay): the workspace and the flag sources. No history file, database, Docker or runbooks:
 * a command that only reads a flag starts without loading or opening them.
 */
export function createFlagsContext(options: AppContextOptions = {}): { flags: FlagService } {
  const env = options.env ?? process.env
  const workspace = loadWorkspace({ explicitPath: options.workspacePath, env, cwd: options.cwd ?? process.cwd() })
  return { flags: new FlagService(new EnvironmentRegistry(workspace, env), options.clock ?? systemClock) }
}
