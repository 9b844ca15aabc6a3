/**
 * The set-up installs npm packages once: the decision (install, or reuse what matches
 * package-lock.json) on temporary folders, and `npm run setup` followed by the test command's
 * install step with a stand-in `npm` on PATH that records what it is asked to do. The real
 * `npm ci` never runs here.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface InstallModule {
  INSTALL_RECORD: string
  installDecision(root: string, nodeAbi?: string): { install: boolean; reason: string }
  recordInstall(root: string, now?: Date, nodeAbi?: string): void
}

// A path the type checker does not follow: the scripts are plain .mjs files run by Node.
const installModule = path.join(PROJECT_ROOT, 'scripts', 'npm-install.mjs')
const { INSTALL_RECORD, installDecision, recordInstall } = (await import(
  pathToFileURL(installModule).href
)) as InstallModule

let root: string

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'rampart-install-'))
  writeFileSync(path.join(root, 'package.json'), '{ "name": "clone", "private": true }\n')
  writeFileSync(path.join(root, 'package-lock.json'), '{ "lockfileVersion": 3, "packages": {} }\n')
})

afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('installDecision', () => {
  it('installs in a clean clone, which has no node_modules', () => {
    expect(installDecision(root)).toEqual({ install: true, reason: 'node_modules does not exist' })
  })

  it('installs over node_modules that has no record of a finished install', () => {
    mkdirSync(path.join(root, 'node_modules'))
    expect(installDecision(root)).toMatchObject({ install: true, reason: expect.stringContaining(INSTALL_RECORD) })
  })

  it('reuses node_modules recorded for this package-lock.json and this Node', () => {
    mkdirSync(path.join(root, 'node_modules'))
    recordInstall(root, new Date('2026-12-01T10:00:00Z'))
    expect(installDecision(root)).toEqual({
      install: false,
      reason: 'node_modules matches package-lock.json (installed 2026-12-01T10:00:00.000Z)'
    })
  })

  it('installs again once package-lock.json changed', () => {
    mkdirSync(path.join(root, 'node_modules'))
    recordInstall(root)
    writeFileSync(path.join(root, 'package-lock.json'), '{ "lockfileVersion": 3, "packages": { "x": {} } }\n')
    expect(installDecision(root)).toEqual({
      install: true,
      reason: 'package-lock.json changed since node_modules was installed'
    })
  })

  it('installs again for another Node ABI, whose native modules differ', () => {
    mkdirSync(path.join(root, 'node_modules'))
    recordInstall(root, new Date(), '115')
    expect(installDecision(root, '127')).toMatchObject({ install: true, reason: expect.stringContaining('ABI 115') })
  })

  it('installs when the record is unreadable (an install cut short)', () => {
    mkdirSync(path.join(root, 'node_modules'))
    writeFileSync(path.join(root, INSTALL_RECORD), '{ "lockfileSha256": ')
    expect(installDecision(root).install).toBe(true)
  })
})

describe('npm run setup, then the test command’s install step', () => {
  let bin: string
  let log: string

  beforeEach(() => {
    // The clone's scripts and the one resource setup copies, beside a stand-in npm.
    cpSync(path.join(PROJECT_ROOT, 'scripts'), path.join(root, 'scripts'), { recursive: true })
    mkdirSync(path.join(root, 'resources', 'demo'), { recursive: true })
    cpSync(
      path.join(PROJECT_ROOT, 'resources', 'demo', 'ops-center.env'),
      path.join(root, 'resources', 'demo', 'ops-center.env')
    )
    bin = path.join(root, 'bin')
    log = path.join(root, 'npm-calls.log')
    mkdirSync(bin)
    writeFileSync(
      path.join(bin, 'npm'),
      '#!/bin/sh\n' +
        `echo "$*" >> "${log}"\n` +
        // `npm ci` replaces node_modules, as the real one does.
        'if [ "$1" = ci ]; then\n' +
        '  rm -rf node_modules && mkdir node_modules && echo "{}" > node_modules/.package-lock.json\n' +
        'fi\n'
    )
    chmodSync(path.join(bin, 'npm'), 0o755)
  })

  function run(script: string, args: string[] = []): { status: number | null; stdout: string } {
    const result = spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args], {
      cwd: root,
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      encoding: 'utf8',
      timeout: 60_000
    })
    return { status: result.status, stdout: result.stdout + result.stderr }
  }

  function npmCalls(): string[] {
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
  }

  it('runs npm ci exactly once in a clean clone', () => {
    const setup = run('setup.mjs')
    expect(setup.status, setup.stdout).toBe(0)
    const testInstall = run('npm-install.mjs')
    expect(testInstall.status, testInstall.stdout).toBe(0)

    expect(npmCalls().filter((call) => call.startsWith('ci'))).toEqual(['ci --no-audit --no-fund --loglevel=error'])
    expect(testInstall.stdout).toContain('npm packages: reused, node_modules matches package-lock.json')
  })

  it('runs npm ci again when package-lock.json changed in between', () => {
    expect(run('npm-install.mjs').status).toBe(0)
    writeFileSync(path.join(root, 'package-lock.json'), '{ "lockfileVersion": 3, "packages": { "y": {} } }\n')
    expect(run('npm-install.mjs').stdout).toContain('package-lock.json changed')
    expect(npmCalls().filter((call) => call.startsWith('ci'))).toHaveLength(2)
  })
})
