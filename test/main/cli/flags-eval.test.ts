import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import { ALL_ROLLOUT_VECTORS } from '@test/fixtures/unleash-vectors'

const AT = '2025-11-03T12:00:00Z'

let dir: string

beforeAll(() => {
  requireBuiltCli()
})

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-cli-eval-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name)
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2))
  return file
}

function writeUsers(users: string[], lineEnding = '\n'): string {
  const file = path.join(dir, 'users.txt')
  writeFileSync(file, users.join(lineEnding) + lineEnding)
  return file
}

function state(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    rollout_percentage: 25,
    whitelist_users: ['admin@example.com'],
    blacklist_users: ['blocked@example.com'],
    start_date: '2025-10-27',
    end_date: null,
    ...overrides
  }
}

function evalFlag(args: string[]): CliRun {
  return runRampart(['flags', 'eval', ...args], { cwd: dir })
}

/** Exit code 2, nothing on stdout, and the message on stderr. */
function expectBadUsage(run: CliRun): string {
  expect(run.status).toBe(2)
  expect(run.stdout).toBe('')
  return run.stderr
}

describe('rampart flags eval --json', () => {
  it('prints exactly one line per user, keys in the order flag, user, enabled, reason, bucket', () => {
    const users = ['alice', 'bob', 'admin@example.com', 'blocked@example.com', 'ユーザー123', ' alice', 'alice']
    writeConfig('cfg.json', state())
    writeUsers(users, '\r\n')
    const run = evalFlag([
      '--flag',
      'unified_llm_hub',
      '--flag-config',
      'cfg.json',
      '--users-file',
      'users.txt',
      '--at',
      AT,
      '--json'
    ])
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    const lines = jsonLines(run.stdout) as Array<Record<string, unknown>>
    expect(lines).toHaveLength(users.length)
    for (const [index, line] of lines.entries()) {
      expect(Object.keys(line)).toEqual(['flag', 'user', 'enabled', 'reason', 'bucket'])
      expect(line.flag).toBe('unified_llm_hub')
      expect(line.user).toBe(users[index])
      expect(Number.isInteger(line.bucket) && (line.bucket as number) >= 1 && (line.bucket as number) <= 100).toBe(true)
    }
    expect(lines[2]).toMatchObject({ enabled: true, reason: 'whitelisted' })
    expect(lines[3]).toMatchObject({ enabled: false, reason: 'blacklisted' })
    expect(lines[6]).toEqual(lines[0])
  })

  it('skips blank lines of the users file', () => {
    writeConfig('cfg.json', state())
    writeFileSync(path.join(dir, 'users.txt'), 'alice\n\n\nbob\r\n\r\n')
    const run = evalFlag([
      '--flag',
      'f',
      '--flag-config',
      'cfg.json',
      '--users-file',
      'users.txt',
      '--at',
      AT,
      '--json'
    ])
    expect((jsonLines(run.stdout) as Array<{ user: string }>).map((line) => line.user)).toEqual(['alice', 'bob'])
  })

  it('evaluates repeated --user options in the order given', () => {
    writeConfig('cfg.json', state({ rollout_percentage: 100 }))
    const run = evalFlag([
      '--flag',
      'f',
      '--flag-config',
      'cfg.json',
      '--user',
      'u2',
      '--user',
      'u1',
      '--at',
      AT,
      '--json'
    ])
    expect(run.status).toBe(0)
    expect(jsonLines(run.stdout)).toEqual([
      expect.objectContaining({ user: 'u2', enabled: true, reason: 'in_rollout' }),
      expect.objectContaining({ user: 'u1', enabled: true, reason: 'in_rollout' })
    ])
  })

  it('agrees with the Unleash client-specification rollout vectors', () => {
    expect(ALL_ROLLOUT_VECTORS.length).toBeGreaterThanOrEqual(12)
    const groups = new Map<string, typeof ALL_ROLLOUT_VECTORS>()
    for (const vector of ALL_ROLLOUT_VECTORS) {
      const key = JSON.stringify([vector.groupId, vector.rollout])
      groups.set(key, [...(groups.get(key) ?? []), vector])
    }
    for (const vectors of groups.values()) {
      const { groupId, rollout } = vectors[0]!
      writeConfig('vector.json', { enabled: true, rollout_percentage: rollout })
      writeUsers(vectors.map((vector) => vector.value))
      const run = evalFlag([
        '--flag',
        groupId,
        '--flag-config',
        'vector.json',
        '--users-file',
        'users.txt',
        '--at',
        AT,
        '--json'
      ])
      expect(run.status).toBe(0)
      const lines = jsonLines(run.stdout) as Array<{ user: string; enabled: boolean }>
      expect(lines.map((line) => [line.user, line.enabled])).toEqual(
        vectors.map((vector) => [vector.value, vector.enabled])
      )
    }
  })

  it('says before_start for an --at before the start date, and evaluates normally from the start date on', () => {
    writeConfig('cfg.json', state({ rollout_percentage: 100, start_date: '2025-11-01' }))
    const before = evalFlag([
      '--flag',
      'f',
      '--flag-config',
      'cfg.json',
      '--user',
      'alice',
      '--at',
      '2025-10-31T23:59:59.999Z',
      '--json'
    ])
    expect(jsonLines(before.stdout)).toEqual([
      { flag: 'f', user: 'alice', enabled: false, reason: 'before_start', bucket: expect.any(Number) }
    ])
    const onTheDay = evalFlag([
      '--flag',
      'f',
      '--flag-config',
      'cfg.json',
      '--user',
      'alice',
      '--at',
      '2025-11-01T00:00:00Z',
      '--json'
    ])
    expect(jsonLines(onTheDay.stdout)).toEqual([expect.objectContaining({ enabled: true, reason: 'in_rollout' })])
  })

  it('accepts an --at with an offset and compares instants, not wall-clock text', () => {
    writeConfig('cfg.json', state({ rollout_percentage: 100, start_date: '2025-11-01T00:00:00Z' }))
    const run = evalFlag([
      '--flag',
      'f',
      '--flag-config',
      'cfg.json',
      '--user',
      'alice',
      '--at',
      '2025-11-01T00:30:00+01:00',
      '--json'
    ])
    expect(jsonLines(run.stdout)).toEqual([expect.objectContaining({ reason: 'before_start' })])
  })
})

describe('rampart flags eval: bad usage and bad input exit 2 naming the problem', () => {
  beforeEach(() => {
    writeConfig('cfg.json', state())
    writeUsers(['alice'])
  })

  it('refuses an unknown option', () => {
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'cfg.json', '--user', 'a', '--colour']))
    expect(stderr).toContain("'--colour'")
  })

  it('refuses a missing --flag', () => {
    expect(expectBadUsage(evalFlag(['--flag-config', 'cfg.json', '--user', 'a']))).toContain('--flag is required')
  })

  it('refuses --user together with --users-file', () => {
    const stderr = expectBadUsage(
      evalFlag(['--flag', 'f', '--flag-config', 'cfg.json', '--user', 'a', '--users-file', 'users.txt'])
    )
    expect(stderr).toContain('either --user or --users-file, not both')
  })

  it('refuses no user at all', () => {
    expect(expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'cfg.json']))).toContain('--user')
  })

  it.each([
    ['yesterday'],
    ['2025-11-01'],
    ['2025-11-01T12:00:00'],
    ['2025-02-30T00:00:00Z'],
    ['2025-11-01T24:00:00Z'],
    ['2025-13-01T00:00:00Z']
  ])('refuses the malformed --at %s', (at) => {
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'cfg.json', '--user', 'a', '--at', at]))
    expect(stderr).toContain(`--at ${at} is not an ISO 8601 instant`)
  })

  it('refuses a flag config with a JSON syntax error, naming the file, line and column', () => {
    const file = writeConfig('broken.json', '{\n  "enabled": true,\n  "rollout_percentage": 10,\n}\n')
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'broken.json', '--user', 'a']))
    expect(stderr).toContain(file)
    expect(stderr).toContain('line 4, column 1')
  })

  it('names line and column even for the syntax errors Node reports without a position', () => {
    const file = writeConfig('broken.json', '{\n  "enabled": true,\n  "rollout_percentage": }\n')
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'broken.json', '--user', 'a']))
    expect(stderr).toContain(file)
    expect(stderr).toContain('line 3, column 25')
  })

  it('refuses a flag config with rollout_percentage 101, naming the field', () => {
    const file = writeConfig('over.json', state({ rollout_percentage: 101 }))
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'over.json', '--user', 'a']))
    expect(stderr).toContain(file)
    expect(stderr).toContain('rollout_percentage')
  })

  it('refuses a missing flag config, naming it', () => {
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'nope.json', '--user', 'a']))
    expect(stderr).toContain(`${path.join(dir, 'nope.json')} does not exist`)
  })

  it('refuses a missing users file, naming it', () => {
    const stderr = expectBadUsage(evalFlag(['--flag', 'f', '--flag-config', 'cfg.json', '--users-file', 'nobody.txt']))
    expect(stderr).toContain(`${path.join(dir, 'nobody.txt')} does not exist`)
  })

  it('reports an error with --json as one JSON object on stderr', () => {
    const run = evalFlag(['--flag', 'f', '--flag-config', 'missing.json', '--user', 'a', '--json'])
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    const lines = run.stderr.split('\n').filter((line) => line !== '')
    expect(lines).toHaveLength(1)
    const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string } }
    expect(Object.keys(parsed)).toEqual(['error'])
    expect(parsed.error.code).toBe('bad_input')
    expect(parsed.error.message).toBe(`flag config ${path.join(dir, 'missing.json')} does not exist`)
  })
})
