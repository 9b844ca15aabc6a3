#!/usr/bin/env node
// `npm start`: the desktop console when Electron is installed, browser mode otherwise.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './electron-binary.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const extraArgs = process.argv.slice(2)

if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  process.stderr.write('rampart: not built yet. Run "npm run setup" first (it installs and builds).\n')
  process.exit(1)
}

const binary = process.env.RAMPART_BROWSER_MODE === '1' ? null : electronBinary(root)
const child = binary
  ? spawn(binary.executable, [root, ...extraArgs], {
      stdio: 'inherit',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined }
    })
  : (process.stdout.write('No Electron binary installed: serving the console in browser mode.\n'),
    spawn(process.execPath, [join(root, 'bin', 'rampart.js'), 'serve', ...extraArgs], { stdio: 'inherit' }))

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
