#!/usr/bin/env node
/**
 * Builds better-sqlite3 for the installed Electron's ABI into .native/electron-<version>/, which
 * src/main/adapters/native-binding.ts looks for (keep the two layouts in step).
 *
 * node_modules/better-sqlite3/build is never touched: it stays built for Node, so the tests and
 * the CLI keep working and nobody has to reinstall when switching between Node and the app.
 * The work happens in a temporary copy of the package: first a prebuilt binary
 * (prebuild-install --runtime electron), else a compile against Electron's headers (node-gyp).
 * Both need the network (GitHub releases, electronjs.org).
 *
 * Usage: npm run native:electron [-- --force]
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const requireFromProject = createRequire(path.join(projectRoot, 'package.json'))
const force = process.argv.includes('--force')
const PREBUILD_TIMEOUT_MS = 2 * 60_000
const COMPILE_TIMEOUT_MS = 30 * 60_000

function say(message) {
  console.log(`native:electron: ${message}`)
}

/** Thrown to stop with a message; caught at the bottom so the temporary copy is always removed first. */
class BuildFailure extends Error {}

function fail(message) {
  throw new BuildFailure(message)
}

function packageVersion(name) {
  try {
    return requireFromProject(`${name}/package.json`).version
  } catch {
    return undefined
  }
}

/** npm passes its bundled node-gyp in npm_config_node_gyp; otherwise look where npm keeps it. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return requireFromProject.resolve('node-gyp/bin/node-gyp.js')
      } catch {
        return undefined
      }
    })(),
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js'
    ),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ]
  return candidates.find((candidate) => candidate !== undefined && existsSync(candidate))
}

/**
 * The environment for the build tools. A `nodedir` from npm's config (set on machines without
 * internet) would make node-gyp compile against Node's own headers and yield an addon Electron
 * cannot load, so it is removed.
 */
function buildEnvironment() {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name.toLowerCase() === 'npm_config_nodedir') delete env[name]
  }
  return env
}

/** Runs a Node script in `cwd`, streaming its output; returns a one-line reason on failure. */
function runNode(script, args, cwd, timeoutMs) {
  say(`running: node ${script} ${args.join(' ')}  (in ${cwd})`)
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd,
    env: buildEnvironment(),
    stdio: 'inherit',
    timeout: timeoutMs
  })
  if (result.error) return `${result.error.code ?? ''} ${result.error.message}`.trim()
  if (result.signal) return `stopped by ${result.signal} after ${Math.round(timeoutMs / 1000)} s or by the user`
  if (result.status !== 0) return `exited with status ${result.status} (its output is above)`
  return undefined
}

function main() {
  const electronVersion = packageVersion('electron')
  const nodeModules = path.join(projectRoot, 'node_modules')
  if (electronVersion === undefined) fail(`Electron is not installed in ${nodeModules}; run \`npm install\` first.`)
  const sqliteVersion = packageVersion('better-sqlite3')
  if (sqliteVersion === undefined) fail(`better-sqlite3 is not installed in ${nodeModules}; run \`npm install\` first.`)

  const arch = process.env.npm_config_arch || process.arch
  const nodedir = Object.entries(process.env).find(([name]) => name.toLowerCase() === 'npm_config_nodedir')
  if (nodedir !== undefined) {
    say(`ignoring ${nodedir[0]}=${nodedir[1]} from npm's config: those are Node's headers, not Electron's`)
  }
  const destination = path.join(projectRoot, '.native', `electron-${electronVersion}`, 'better_sqlite3.node')
  say(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.platform}-${arch})`)
  say(`target: ${destination}`)

  if (existsSync(destination) && !force) {
    say('already built; nothing to do (pass --force to build it again).')
    return
  }

  const packageDir = path.dirname(requireFromProject.resolve('better-sqlite3/package.json'))
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'rampart-native-electron-'))
  const copyDir = path.join(workDir, 'better-sqlite3')
  const reasons = []

  try {
    say(`copying ${packageDir} to ${copyDir} (without its build/, which stays Node's)`)
    cpSync(packageDir, copyDir, {
      recursive: true,
      filter: (source) => path.relative(packageDir, source).split(path.sep)[0] !== 'build'
    })
    const built = path.join(copyDir, 'build', 'Release', 'better_sqlite3.node')

    const prebuildInstall = (() => {
      try {
        return requireFromProject.resolve('prebuild-install/bin.js')
      } catch {
        return undefined
      }
    })()
    if (prebuildInstall === undefined) {
      reasons.push('prebuild-install: not installed in node_modules')
    } else {
      say('step 1/2: download a prebuilt binary for Electron (needs github.com)')
      const reason = runNode(
        prebuildInstall,
        ['--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--verbose'],
        copyDir,
        PREBUILD_TIMEOUT_MS
      )
      if (reason !== undefined) reasons.push(`prebuild-install: ${reason}`)
      else if (!existsSync(built)) reasons.push(`prebuild-install: succeeded but left no ${built}`)
    }

    if (!existsSync(built)) {
      const nodeGyp = findNodeGyp()
      if (nodeGyp === undefined) {
        reasons.push('node-gyp: not found (neither npm_config_node_gyp, node_modules/node-gyp, nor npm’s bundled copy)')
      } else {
        say('step 2/2: compile against Electron headers with node-gyp (needs electronjs.org and a C++ toolchain)')
        const reason = runNode(
          nodeGyp,
          [
            'rebuild',
            '--release',
            '--runtime=electron',
            `--target=${electronVersion}`,
            `--arch=${arch}`,
            '--dist-url=https://electronjs.org/headers'
          ],
          copyDir,
          COMPILE_TIMEOUT_MS
        )
        if (reason !== undefined) reasons.push(`node-gyp: ${reason}`)
        else if (!existsSync(built)) reasons.push(`node-gyp: succeeded but left no ${built}`)
      }
    }

    if (!existsSync(built)) {
      fail(
        `could not build better-sqlite3 for Electron ${electronVersion} (${process.platform}-${arch}).\n` +
          reasons.map((reason) => `  - ${reason}`).join('\n') +
          '\nBoth ways need network access (github.com for prebuilt binaries, electronjs.org for headers). ' +
          'Run `npm run native:electron` where those are reachable, or place a better_sqlite3.node built for ' +
          `Electron ${electronVersion} at ${destination}. Node (tests, CLI) is unaffected either way.`
      )
    }

    checkAbi(built, electronVersion)
    mkdirSync(path.dirname(destination), { recursive: true })
    copyFileSync(built, destination)
    say(`copied ${built} -> ${destination} (${statSync(destination).size} bytes)`)
    checkUnderElectron(destination, electronVersion)
    say('done. node_modules/better-sqlite3/build was not changed; Node keeps using it.')
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

/**
 * Reads the ABI the addon was compiled for (its `node_register_module_v<N>` symbol) and refuses
 * Node's own ABI, or anything other than Electron's when node-abi knows it.
 */
function checkAbi(addon, electronVersion) {
  const match = /node_register_module_v(\d+)/.exec(readFileSync(addon).toString('latin1'))
  if (match === null) {
    say(`ABI check skipped: no node_register_module_v<N> symbol found in ${addon}`)
    return
  }
  const built = Number(match[1])
  let expected
  try {
    expected = Number(requireFromProject('node-abi').getAbi(electronVersion, 'electron'))
  } catch (error) {
    say(
      `node-abi does not know Electron ${electronVersion} (${error.message}); checking only that it is not Node's ABI`
    )
  }
  if (expected !== undefined && built !== expected) {
    fail(
      `the addon was built for ABI ${built}, but Electron ${electronVersion} needs ABI ${expected}; nothing was copied.`
    )
  }
  if (built === Number(process.versions.modules)) {
    fail(`the addon was built for Node's ABI ${built}, not Electron's; nothing was copied.`)
  }
  say(`ABI check: built for ABI ${built}${expected !== undefined ? ` = Electron ${electronVersion}'s` : ''}`)
}

/** Loads the addon in Electron-as-Node when the Electron binary is present, to catch an ABI mix-up now. */
function checkUnderElectron(addon, electronVersion) {
  let electronBinary
  try {
    electronBinary = requireFromProject('electron')
  } catch (error) {
    say(`skipped the load check: the Electron binary is not available (${error.message.split('\n')[0]})`)
    return
  }
  const result = spawnSync(electronBinary, ['-e', `require(${JSON.stringify(addon)})`], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000
  })
  if (result.status === 0) say(`load check: Electron ${electronVersion} loads ${addon}`)
  else
    fail(
      `Electron ${electronVersion} could not load ${addon}: ${(result.stderr || result.error?.message || '').trim()}`
    )
}

try {
  main()
} catch (error) {
  if (!(error instanceof BuildFailure)) throw error
  console.error(`native:electron: FAILED: ${error.message}`)
  process.exitCode = 1
}
