#!/usr/bin/env node
// Installs dependencies and builds Rampart. Where Electron's binary cannot be downloaded (no
// internet, a locked-down box), it installs without it and says so: the console then runs in
// browser mode (`npm start` serves it on 127.0.0.1).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './electron-binary.mjs'
import { ensureNpmInstall } from './npm-install.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(command, args, env = process.env) {
  const started = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env })
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) }
}

function step(title) {
  process.stdout.write(`\n== ${title}\n`)
}

// One `npm ci` at most, without the Electron binary: an install that already matches
// package-lock.json is reused, and the binary is fetched on its own below, so a machine that
// cannot download it does not pay for a second install.
step('npm packages')
if (!ensureNpmInstall(root).ok) {
  process.stderr.write('\nrampart setup: npm could not install the dependencies; see the npm output above.\n')
  process.exit(1)
}

if (electronBinary(root) === null && process.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== '1') {
  step('Electron binary')
  const fetched = run(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')])
  if (!fetched.ok) {
    process.stdout.write(
      '\nElectron could not be downloaded (usually: no internet); the console will run in browser mode.\n'
    )
  }
}

step('build (main, preload, renderer, CLI)')
const build = run(npm, ['run', 'build'])
if (!build.ok) {
  process.stderr.write('\nrampart setup: the build failed; see the output above.\n')
  process.exit(1)
}
process.stdout.write(`   done in ${build.seconds} s\n`)

// The built-in default workspace reads ./.env; give a newcomer the demo service's flags to look at.
const envFile = join(root, '.env')
if (!existsSync(envFile)) {
  copyFileSync(join(root, 'resources', 'demo', 'ops-center.env'), envFile)
  process.stdout.write(`\nCreated ${envFile} from resources/demo/ops-center.env (the demo service's flags).\n`)
}

const binary = electronBinary(root)
process.stdout.write(
  binary
    ? `\nReady. "npm start" opens the desktop console (Electron ${binary.version}).\n` +
        'For the history file under Electron, build its native module once: npm run native:electron\n'
    : '\nReady. No Electron binary is installed, so "npm start" serves the console in your browser\n' +
        '(127.0.0.1 only, with a one-time token). On a machine with internet, "npm install" fetches Electron.\n'
)
