import { fileURLToPath } from 'node:url'

const NODE_TSCONFIG = fileURLToPath(new URL('../../tsconfig.node.json', import.meta.url))

/**
 * The environment for a `node --import tsx` child running a fixture: tsx reads tsconfig.json,
 * which only references the others, so without this it cannot resolve `@main/...` imports.
 */
export function tsxChildEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TSX_TSCONFIG_PATH: NODE_TSCONFIG }
}
