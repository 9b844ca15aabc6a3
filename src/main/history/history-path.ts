import os from 'node:os'
import path from 'node:path'

const HISTORY_FILE_NAME = 'history.db'
const APP_FOLDER = 'Rampart'

/**
 * Where the history file lives. The Electron app and the CLI both call this, so they share one
 * file; the default folder is the one Electron's `app.getPath('userData')` gives for "Rampart".
 */
export function resolveHistoryPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir()
): string {
  // Windows paths must be built with win32 rules even when computed (in tests) on Linux.
  const paths = platform === 'win32' ? path.win32 : path.posix
  const rampartHome = nonEmpty(env.RAMPART_HOME)
  if (rampartHome !== undefined) return paths.join(rampartHome, HISTORY_FILE_NAME)
  return paths.join(userDataFolder(env, platform, home, paths), HISTORY_FILE_NAME)
}

function userDataFolder(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
  paths: path.PlatformPath
): string {
  if (platform === 'darwin') return paths.join(home, 'Library', 'Application Support', APP_FOLDER)
  if (platform === 'win32')
    return paths.join(nonEmpty(env.APPDATA) ?? paths.join(home, 'AppData', 'Roaming'), APP_FOLDER)
  return paths.join(nonEmpty(env.XDG_CONFIG_HOME) ?? paths.join(home, '.config'), APP_FOLDER)
}

/** An empty variable counts as unset, as shells and Electron treat it. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
