import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The built renderer (out/renderer) of this installation, found from wherever this code runs:
 * the bundle in out/main, or the sources under test.
 */
export function findRendererDir(start: string = __dirname): string {
  let dir = start
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && isRampartManifest(manifest)) return join(dir, 'out', 'renderer')
    const parent = dirname(dir)
    if (parent === dir) return join(start, '..', 'renderer')
    dir = parent
  }
}

function isRampartManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'rampart'
  } catch {
    return false
  }
}
