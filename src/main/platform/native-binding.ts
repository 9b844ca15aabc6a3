import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/**
 * better-sqlite3 ships one compiled addon in node_modules, built for Node's ABI. Electron has a
 * different ABI, so the app loads a second copy built by `npm run native:electron` into
 * `.native/`, and node_modules stays usable by the tests and the CLI without a reinstall.
 */
export const NATIVE_BUILD_COMMAND = 'npm run native:electron'

export interface NativeRuntime {
  /** `process.versions`; `electron` is set when running inside Electron. */
  versions: Readonly<Record<string, string | undefined>>
  /** The folder holding node_modules and .native. */
  projectRoot?: string
}

/** The `nativeBinding` option for better-sqlite3: undefined means the package's own addon. */
export function resolveNativeBinding(runtime: NativeRuntime = { versions: process.versions }): string | undefined {
  const electronVersion = runtime.versions.electron
  if (electronVersion === undefined) return undefined
  const candidate = electronBindingPath(runtime.projectRoot ?? projectRoot(), electronVersion)
  return existsSync(candidate) ? candidate : undefined
}

/** Where scripts/native-electron.mjs puts the addon for one Electron version (keep the two in step). */
export function electronBindingPath(root: string, electronVersion: string): string {
  return path.join(root, '.native', `electron-${electronVersion}`, 'better_sqlite3.node')
}

/** The project that installed better-sqlite3: .native sits beside its node_modules. */
export function projectRoot(): string {
  const packageJson = createRequire(import.meta.url).resolve('better-sqlite3/package.json')
  return path.resolve(path.dirname(packageJson), '..', '..')
}
