import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readMigrationDirectory } from '@main/database/migration-directory'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-migration-dir-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('readMigrationDirectory', () => {
  it('reads the .sql files directly in the folder as bytes, leaving seeds/ and other files alone', () => {
    writeFileSync(path.join(dir, '001_a.sql'), 'SELECT 1;\r\n')
    writeFileSync(path.join(dir, 'README.md'), '# notes')
    mkdirSync(path.join(dir, 'seeds'))
    writeFileSync(path.join(dir, 'seeds', 'users.sql'), 'INSERT 1')
    const files = readMigrationDirectory(dir)
    expect(files.map((file) => file.fileName)).toEqual(['001_a.sql'])
    expect(Buffer.from(files[0]!.bytes).toString('latin1')).toBe('SELECT 1;\r\n')
  })

  it('names the folder when it does not exist', () => {
    const missing = path.join(dir, 'nope')
    expect(() => readMigrationDirectory(missing)).toThrow(`The migrations directory ${missing} does not exist`)
  })
})
