#!/usr/bin/env node
// Installs dependencies and builds Rampart. Where Electron's binary cannot be downloaded (no
// internet, a locked-down box), it installs without it and says so: the console then runs in
// browser mode (`npm start` serves it on 127.0.0.1).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const installVerb = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install'

function run(command, args, env = process.env) {
  const started = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env })
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) }
}

function step(title) {
  process.stdout.write(`\n== ${title}\n`)
}

step(`npm ${installVerb} (with the Electron binary)`)
let install = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1' ? { ok: false, skipped: true } : run(npm, [installVerb])
if (!install.ok) {
  if (!install.skipped) {
    process.stdout.write(
      '\nThe install with the Electron binary failed (usually: Electron could not be downloaded).\n' +
        'Installing again without it; the console will run in browser mode.\n'
    )
  }
  step(`npm ${installVerb} (ELECTRON_SKIP_BINARY_DOWNLOAD=1)`)
  install = run(npm, [installVerb], { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })
  if (!install.ok) {
    process.stderr.write('\nrampart setup: npm could not install the dependencies; see the npm output above.\n')
    process.exit(1)
  }
}
process.stdout.write(`   done in ${install.seconds} s\n`)

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

const { electronBinary } = await import('./electron-binary.mjs')
const binary = electronBinary(root)
process.stdout.write(
  binary
    ? `\nReady. "npm start" opens the desktop console (Electron ${binary.version}).\n` +
        'For the history file under Electron, build its native module once: npm run native:electron\n'
    : '\nReady. No Electron binary is installed, so "npm start" serves the console in your browser\n' +
        '(127.0.0.1 only, with a one-time token). On a machine with internet, "npm install" fetches Electron.\n'
)
