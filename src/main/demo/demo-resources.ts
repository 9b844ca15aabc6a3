import { existsSync } from 'node:fs'
import path from 'node:path'
import { RampartError } from '@shared/errors'
import { projectRoot } from '@main/platform/native-binding'

/** The demo service's files as shipped in resources/demo. */
export interface DemoResources {
  /** The folder mounted read-only at /app in the demo container (server.js and its modules). */
  serviceDir: string
  /** The env file a new environment starts from (the seed's .env.development flags). */
  envTemplate: string
}

/** resources/demo of the installed project; fails naming what is missing rather than mounting an empty folder. */
export function locateDemoResources(root: string = projectRoot()): DemoResources {
  const serviceDir = path.join(root, 'resources', 'demo', 'ops-center')
  const envTemplate = path.join(root, 'resources', 'demo', 'ops-center.env')
  for (const required of [path.join(serviceDir, 'server.js'), envTemplate]) {
    if (!existsSync(required)) {
      throw new RampartError(
        'failed',
        `The demo service's files are missing: ${required} does not exist (is this a complete Rampart checkout?)`
      )
    }
  }
  return { serviceDir, envTemplate }
}
