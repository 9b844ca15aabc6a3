import { join } from 'node:path'
import { RampartError } from '@shared/errors'
import type { EnvironmentConfig, Workspace } from '@main/workspace/core/workspace-schema'
import { environmentConfig, resolveWorkspacePath } from '@main/workspace/core/workspace-lookup'
import { resolveFlagEnvMapping } from './core/flag-env-mapping'
import { EnvFileFlagSource } from './env-file-source'
import type { FlagSource } from './flag-source'
import { HttpFlagSource } from './http-flag-source'
import { UnleashFlagSource } from './unleash-flag-source'
import { LockFile } from '@main/platform/lock-file'

/** One environment of the workspace, with the adapters that reach it (created on first use). */
export interface EnvironmentHandle {
  name: string
  config: EnvironmentConfig
  flagSource: FlagSource
  /** The flag source's location, for display (a file path or URL). */
  flagOrigin: string
  /** Held around every rollout move, so two consoles (or the app and the CLI) cannot both write from the same read. */
  moveLock: LockFile
}

/** Resolves environment names and builds each environment's adapters once. */
export class EnvironmentRegistry {
  private readonly handles = new Map<string, EnvironmentHandle>()

  constructor(
    readonly workspace: Workspace,
    /** Where secret references (an HTTP flag source's token) are resolved. */
    private readonly env: Readonly<Record<string, string | undefined>> = process.env
  ) {}

  names(): string[] {
    return Object.keys(this.workspace.environments)
  }

  get(name: string | undefined): EnvironmentHandle {
    const cached = this.handles.get(name ?? this.workspace.defaultEnvironment)
    if (cached) return cached
    const { name: resolved, config } = environmentConfig(this.workspace, name)
    const handle = this.build(resolved, config)
    this.handles.set(resolved, handle)
    return handle
  }

  /** The flag must be one the environment declares, so a typo never reads defaults silently. */
  requireFlag(handle: EnvironmentHandle, flag: string): void {
    if (!handle.config.flags.includes(flag)) {
      throw new RampartError(
        'bad_input',
        `Flag "${flag}" is not declared in environment "${handle.name}" (declared: ${handle.config.flags.join(', ')})`
      )
    }
  }

  resolvePath(path: string): string {
    return resolveWorkspacePath(this.workspace, path)
  }

  private build(name: string, config: EnvironmentConfig): EnvironmentHandle {
    const source = config.flag_source
    if (source.kind === 'env-file') {
      const path = this.resolvePath(source.path)
      const flags = Object.fromEntries(config.flags.map((flag) => [flag, resolveFlagEnvMapping(flag, source.mappings)]))
      // Beside the env file: whoever may write the file (its folder, for the atomic rename) may take the lock.
      const moveLock = new LockFile(`${path}.rampart-lock`)
      return { name, config, flagSource: new EnvFileFlagSource({ path, flags }), flagOrigin: path, moveLock }
    }
    if (source.kind === 'unleash') {
      const flagSource = new UnleashFlagSource({
        url: source.url,
        project: source.project,
        environment: source.environment,
        token: source.token,
        env: this.env,
        tokenField: `environment "${name}" flag_source.token`
      })
      const moveLock = new LockFile(join(this.workspace.baseDir, `.rampart-${name}-flags.lock`))
      return { name, config, flagSource, flagOrigin: flagSource.origin, moveLock }
    }
    const flagSource = new HttpFlagSource({
      baseUrl: source.base_url,
      ...(source.token === undefined ? {} : { token: source.token }),
      env: this.env,
      tokenField: `environment "${name}" flag_source.token`
    })
    // The API has no lock of its own; beside the workspace file, consoles sharing the workspace share the lock.
    const moveLock = new LockFile(join(this.workspace.baseDir, `.rampart-${name}-flags.lock`))
    return { name, config, flagSource, flagOrigin: flagSource.origin, moveLock }
  }
}
