#!/usr/bin/env node
// Installs the npm packages only when the installed ones do not match package-lock.json, so
// `npm run setup` then `npm run test:all` run `npm ci` once. A finished install leaves a record
// in node_modules (the lockfile's SHA-256 and Node's native ABI); a matching record means the
// install is reused. The Electron binary is never part of it (setup fetches it separately).
//
// Usage: node scripts/npm-install.mjs [--root DIR]
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const INSTALL_RECORD = join('node_modules', '.rampart-install.json')

function lockfileSha256(root) {
  const lockfile = join(root, 'package-lock.json')
  return existsSync(lockfile) ? createHash('sha256').update(readFileSync(lockfile)).digest('hex') : null
}

function readRecord(root) {
  try {
    return JSON.parse(readFileSync(join(root, INSTALL_RECORD), 'utf8'))
  } catch {
    return null
  }
}

/**
 * Whether `npm ci` must run in `root`, and why. `nodeAbi` is Node's native module version
 * (better-sqlite3 is compiled for it at install time).
 */
export function installDecision(root, nodeAbi = process.versions.modules) {
  const lockfile = lockfileSha256(root)
  if (lockfile === null) return { install: true, reason: 'there is no package-lock.json to compare with' }
  if (!existsSync(join(root, 'node_modules'))) return { install: true, reason: 'node_modules does not exist' }
  const record = readRecord(root)
  if (record === null)
    return { install: true, reason: `node_modules has no record of a finished install (${INSTALL_RECORD})` }
  if (record.lockfileSha256 !== lockfile)
    return { install: true, reason: 'package-lock.json changed since node_modules was installed' }
  if (record.nodeAbi !== nodeAbi)
    return {
      install: true,
      reason: `node_modules was installed for Node ABI ${record.nodeAbi}, this Node is ABI ${nodeAbi} (native modules)`
    }
  return { install: false, reason: `node_modules matches package-lock.json (installed ${record.installedAt})` }
}

/** Written after `npm ci` succeeded, atomically, so an interrupted install never looks finished. */
export function recordInstall(root, now = new Date(), nodeAbi = process.versions.modules) {
  const record = { lockfileSha256: lockfileSha256(root), nodeAbi, installedAt: now.toISOString() }
  const file = join(root, INSTALL_RECORD)
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`)
  renameSync(temporary, file)
}

/** Runs `npm ci` (or `npm install` without a lockfile) when needed; returns what it did. */
export function ensureNpmInstall(root, say = (line) => process.stdout.write(`${line}\n`)) {
  const decision = installDecision(root)
  if (!decision.install) {
    say(`npm packages: reused, ${decision.reason}`)
    return { installed: false, ok: true }
  }
  const verb = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install'
  say(`npm packages: npm ${verb}, because ${decision.reason}`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const started = Date.now()
  const result = spawnSync(npm, [verb, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
    // The Electron binary is fetched on its own by setup (where it can be); tests never need it.
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }
  })
  if (result.status !== 0) return { installed: true, ok: false }
  recordInstall(root)
  say(`npm packages: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return { installed: true, ok: true }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rootFlag = process.argv.indexOf('--root')
  const root = rootFlag === -1 ? join(dirname(fileURLToPath(import.meta.url)), '..') : process.argv[rootFlag + 1]
  if (!ensureNpmInstall(root).ok) {
    process.stderr.write('npm-install: npm could not install the dependencies; see its output above\n')
    process.exit(1)
  }
}
