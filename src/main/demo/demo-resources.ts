import { existsSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { RampartError } from '@shared/errors'
import { projectRoot } from '@main/platform/native-binding'

/** The demo service's files as shipped in resources/demo. */
export interface DemoResources {
  /** The folder mounted read-only at /app in the demo container (server.js and its modules). */
  serviceDir: string
  /** The env file a new environment starts from (the seed's .env.development flags). */
  envTemplate: string
  /** Rampart's node_modules, mounted read-only at /node_modules for the service's one package (prom-client). */
  nodeModulesDir: string
}

/** resources/demo of the installed project; fails naming what is missing rather than mounting an empty folder. */
export function locateDemoResources(root: string = projectRoot()): DemoResources {
  const serviceDir = path.join(root, 'resources', 'demo', 'ops-center')
  const envTemplate = path.join(root, 'resources', 'demo', 'ops-center.env')
  // Real path: a checkout may link its node_modules from elsewhere, and a bind mount needs the folder itself.
  const linkedModules = path.join(root, 'node_modules')
  const nodeModulesDir = existsSync(linkedModules) ? realpathSync(linkedModules) : linkedModules
  for (const required of [
    path.join(serviceDir, 'server.js'),
    envTemplate,
    path.join(nodeModulesDir, 'prom-client', 'package.json')
  ]) {
    if (!existsSync(required)) {
      throw new RampartError(
        'failed',
        `The demo service's files are missing: ${required} does not exist ` +
          '(is this a complete Rampart checkout, with its packages installed?)'
      )
    }
  }
  return { serviceDir, envTemplate, nodeModulesDir }
}
