// Finds the installed Electron binary, if its download happened; null otherwise.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export function electronBinary(root) {
  const dir = join(root, 'node_modules', 'electron')
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const executable = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(executable)) return null
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
  return { executable, version }
}
