import path from 'node:path'
import { RampartError } from '@shared/errors'
import type { EnvironmentConfig, Workspace } from './workspace-schema'

/** An environment by name (the default when none is named), or a `bad_input` error listing the names there are. */
export function environmentConfig(
  workspace: Workspace,
  name: string | undefined
): { name: string; config: EnvironmentConfig } {
  const resolved = name ?? workspace.defaultEnvironment
  const config = workspace.environments[resolved]
  if (config === undefined) {
    const names = Object.keys(workspace.environments).join(', ')
    throw new RampartError(
      'bad_input',
      `No environment "${resolved}" in ${workspace.file ?? 'the built-in default workspace'} (there are: ${names})`
    )
  }
  return { name: resolved, config }
}

/** A path from the workspace file, taken relative to the file's folder. */
export function resolveWorkspacePath(workspace: Workspace, file: string): string {
  return path.isAbsolute(file) ? file : path.resolve(workspace.baseDir, file)
}
