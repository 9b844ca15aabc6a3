import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { electronBindingPath, projectRoot, resolveNativeBinding } from '@main/platform/native-binding'

let root: string

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rampart-native-'))
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('resolveNativeBinding', () => {
  it('leaves plain Node on the package’s own addon', () => {
    expect(resolveNativeBinding({ versions: { node: '20.20.2' }, projectRoot: root })).toBeUndefined()
    expect(resolveNativeBinding()).toBeUndefined()
  })

  it('picks .native/electron-<version>/better_sqlite3.node under Electron when it was built', () => {
    const built = path.join(root, '.native', 'electron-40.10.2', 'better_sqlite3.node')
    mkdirSync(path.dirname(built), { recursive: true })
    writeFileSync(built, '')
    expect(resolveNativeBinding({ versions: { electron: '40.10.2' }, projectRoot: root })).toBe(built)
  })

  it('returns undefined under Electron when no addon was built for that version', () => {
    const other = electronBindingPath(root, '39.0.0')
    mkdirSync(path.dirname(other), { recursive: true })
    writeFileSync(other, '')
    expect(resolveNativeBinding({ versions: { electron: '40.10.2' }, projectRoot: root })).toBeUndefined()
  })
})

describe('projectRoot', () => {
  it('is the folder whose node_modules holds better-sqlite3, here this repository', () => {
    expect(projectRoot()).toBe(path.resolve(fileURLToPath(new URL('../../../', import.meta.url))))
  })
})
