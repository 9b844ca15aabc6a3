import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsPromises from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EnvFileFlagSource, type EnvFileSystem } from '@main/flags/env-file-source'
import type { FlagPatch } from '@main/flags/flag-source'
import { SEED_FLAG_ENV_MAPPING, defaultFlagEnvMapping } from '@main/flags/core/flag-env-mapping'
import { type RampartError } from '@shared/errors'
import { MIXED_ENV_TEXT, SEED_ENV_DEVELOPMENT_TEXT } from '@test/fixtures/env-file-text'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'

let folder: string
let envPath: string

beforeEach(() => {
  folder = fs.mkdtempSync(join(tmpdir(), 'rampart-env-source-'))
  envPath = join(folder, '.env')
})

afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true })
})

function source(fileSystem?: EnvFileSystem): EnvFileFlagSource {
  return new EnvFileFlagSource({
    path: envPath,
    flags: { [FLAG]: SEED_FLAG_ENV_MAPPING, new_checkout: defaultFlagEnvMapping('new_checkout') },
    fileSystem
  })
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

interface FileFingerprint {
  bytes: Buffer
  mtimeMs: number
  ino: number
}

function fingerprint(path: string): FileFingerprint {
  const stat = fs.statSync(path)
  return { bytes: fs.readFileSync(path), mtimeMs: stat.mtimeMs, ino: stat.ino }
}

function expectUntouched(path: string, before: FileFingerprint): void {
  const after = fingerprint(path)
  expect(after.bytes.equals(before.bytes)).toBe(true)
  expect(after.mtimeMs).toBe(before.mtimeMs)
  expect(after.ino).toBe(before.ino)
}

function folderEntries(): string[] {
  return fs.readdirSync(folder).sort()
}

describe('reading', () => {
  it("reads the seed's .env.development variables as the seed flag's state", async () => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    const snapshot = await source().read(FLAG)
    expect(snapshot.state).toEqual({
      enabled: true,
      rollout_percentage: 0,
      whitelist_users: ['admin@your-domain.com', 'admin@example.com'],
      blacklist_users: [],
      start_date: '2025-10-27',
      end_date: null
    })
    expect(snapshot.origin).toBe(envPath)
    expect(Object.values(snapshot.writable).every(Boolean)).toBe(true)
  })

  it("uses the SHA-256 of the file's bytes as the revision", async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const snapshot = await source().read(FLAG)
    expect(snapshot.revision).toBe(sha256(fs.readFileSync(envPath)))
  })

  it('lists the configured flags in the order given', async () => {
    expect(await source().listFlags()).toEqual([FLAG, 'new_checkout'])
  })

  it('refuses a flag that has no mapping, naming the file and the mapped flags', async () => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    const error = await rejectionOf(source().read('dark_mode'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(
      `flag "dark_mode" has no variables mapped in env file ${envPath} (mapped flags: unified_llm_hub, new_checkout)`
    )
  })

  it('refuses a missing file, for reads and for writes, and creates nothing', async () => {
    const readError = await rejectionOf(source().read(FLAG))
    expect(readError.code).toBe('bad_input')
    expect(readError.message).toBe(`env file ${envPath} does not exist`)
    const writeError = await rejectionOf(source().write(FLAG, { enabled: false }, sha256(Buffer.from(''))))
    expect(writeError.message).toBe(`env file ${envPath} does not exist`)
    expect(folderEntries()).toEqual([])
  })

  it('refuses a file that is not UTF-8, naming the line, since a write could not keep its bytes', async () => {
    fs.writeFileSync(envPath, Buffer.concat([Buffer.from('A=1\nNAME=caf'), Buffer.from([0xe9]), Buffer.from('\n')]))
    const error = await rejectionOf(source().read(FLAG))
    expect(error.message).toBe(`env file ${envPath} line 2 is not valid UTF-8; save the file as UTF-8 and retry`)
  })

  it('refuses two fields of one flag mapped to the same variable', () => {
    const mapping = { ...SEED_FLAG_ENV_MAPPING, end_date: 'FEATURE_LLM_HUB_START_DATE' }
    expect(() => new EnvFileFlagSource({ path: envPath, flags: { [FLAG]: mapping } })).toThrow(
      'start_date and end_date both map to FEATURE_LLM_HUB_START_DATE'
    )
  })
})

describe('writing', () => {
  it('changes exactly the intended value in a mixed file and nothing else', async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const flags = source()
    const before = await flags.read(FLAG)
    const after = await flags.write(FLAG, { rollout_percentage: 25 }, before.revision)

    const expected = Buffer.from(
      MIXED_ENV_TEXT.replace('FEATURE_LLM_HUB_ROLLOUT = 10 #', 'FEATURE_LLM_HUB_ROLLOUT = 25 #')
    )
    const written = fs.readFileSync(envPath)
    expect(written.equals(expected)).toBe(true)
    expect(after.state).toEqual({ ...before.state, rollout_percentage: 25 })
    expect(after.revision).toBe(sha256(written))
  })

  it('changes several fields at once, keeping each line its quoting, export and line ending', async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const flags = source()
    const { revision } = await flags.read(FLAG)
    const patch: FlagPatch = {
      enabled: false,
      whitelist_users: ['admin@example.com'],
      blacklist_users: ['mallory@example.com'],
      end_date: '2025-12-31'
    }
    await flags.write(FLAG, patch, revision)

    const expected = MIXED_ENV_TEXT.replace(
      'export FEATURE_UNIFIED_LLM_HUB=true\n',
      'export FEATURE_UNIFIED_LLM_HUB=false\n'
    )
      .replace("'admin@your-domain.com,admin@example.com'\n", "'admin@example.com'\n")
      .replace('FEATURE_LLM_HUB_BLACKLIST=\r\n', 'FEATURE_LLM_HUB_BLACKLIST=mallory@example.com\r\n')
      .replace('FEATURE_LLM_HUB_END_DATE= # open-ended\n', 'FEATURE_LLM_HUB_END_DATE=2025-12-31 # open-ended\n')
    expect(fs.readFileSync(envPath).equals(Buffer.from(expected))).toBe(true)
  })

  it('leaves no temporary file behind', async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const flags = source()
    await flags.write(FLAG, { enabled: false }, (await flags.read(FLAG)).revision)
    expect(folderEntries()).toEqual(['.env'])
  })

  it('does not touch the file when the patch matches what it already says, however spelled', async () => {
    fs.writeFileSync(envPath, 'FEATURE_UNIFIED_LLM_HUB=1\nFEATURE_LLM_HUB_WHITELIST=a@x.com, b@x.com\n')
    const flags = source()
    const before = fingerprint(envPath)
    const snapshot = await flags.read(FLAG)
    const after = await flags.write(
      FLAG,
      { enabled: true, whitelist_users: ['a@x.com', 'b@x.com'], end_date: null, rollout_percentage: 0 },
      snapshot.revision
    )
    expectUntouched(envPath, before)
    expect(after.revision).toBe(snapshot.revision)
  })

  it("appends a flag's missing variables at the end of the file", async () => {
    fs.writeFileSync(envPath, '# flags\r\nFEATURE_NEW_CHECKOUT=true\r\n')
    const flags = source()
    const { revision } = await flags.read('new_checkout')
    await flags.write('new_checkout', { rollout_percentage: 10, whitelist_users: ['qa@example.com'] }, revision)
    expect(fs.readFileSync(envPath, 'utf8')).toBe(
      '# flags\r\nFEATURE_NEW_CHECKOUT=true\r\nFEATURE_NEW_CHECKOUT_ROLLOUT=10\r\n' +
        'FEATURE_NEW_CHECKOUT_WHITELIST=qa@example.com\r\n'
    )
  })

  it("keeps the file's permission bits", async () => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    fs.chmodSync(envPath, 0o640)
    const flags = source()
    await flags.write(FLAG, { rollout_percentage: 10 }, (await flags.read(FLAG)).revision)
    expect(fs.statSync(envPath).mode & 0o7777).toBe(0o640)
  })

  it('writes through a symlinked .env to its target and keeps the link', async () => {
    const target = join(folder, '.env.development')
    fs.writeFileSync(target, SEED_ENV_DEVELOPMENT_TEXT)
    fs.symlinkSync('.env.development', envPath)
    const flags = source()
    await flags.write(FLAG, { rollout_percentage: 10 }, (await flags.read(FLAG)).revision)
    expect(fs.lstatSync(envPath).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(target, 'utf8')).toContain('FEATURE_LLM_HUB_ROLLOUT=10\n')
    expect(folderEntries()).toEqual(['.env', '.env.development'])
  })

  it('repairs a bad value when the write replaces it', async () => {
    fs.writeFileSync(envPath, 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=abc\n')
    const after = await source().write(FLAG, { rollout_percentage: 0 }, sha256(fs.readFileSync(envPath)))
    expect(after.state.rollout_percentage).toBe(0)
    expect(fs.readFileSync(envPath, 'utf8')).toBe('FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=0\n')
  })
})

describe('bad values in the file', () => {
  const lines = (rolloutLine: string): string =>
    ['# flags', 'FEATURE_UNIFIED_LLM_HUB=true', rolloutLine, 'FEATURE_LLM_HUB_START_DATE=2025-10-27', ''].join('\n')

  it.each([
    ['ROLLOUT=abc', lines('FEATURE_LLM_HUB_ROLLOUT=abc'), 3, 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    ['ROLLOUT=101', lines('FEATURE_LLM_HUB_ROLLOUT=101'), 3, 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    ['ROLLOUT=-5', lines('FEATURE_LLM_HUB_ROLLOUT=-5'), 3, 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    ['ROLLOUT=12.5', lines('FEATURE_LLM_HUB_ROLLOUT=12.5'), 3, 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    [
      'a malformed date',
      lines('FEATURE_LLM_HUB_END_DATE=2025-31-12'),
      3,
      'FEATURE_LLM_HUB_END_DATE',
      'is not a real date'
    ],
    [
      'an unterminated quote',
      lines('FEATURE_LLM_HUB_WHITELIST="a@x.com'),
      3,
      'FEATURE_LLM_HUB_WHITELIST',
      'unterminated " quote'
    ],
    ['a duplicated key', lines('FEATURE_UNIFIED_LLM_HUB=false'), 3, 'FEATURE_UNIFIED_LLM_HUB', 'is set twice']
  ])(
    '%s: read and write both refuse, naming file, line and variable, and the file stays as it was',
    async (_, text, line, variable, problem) => {
      fs.writeFileSync(envPath, text)
      const before = fingerprint(envPath)
      const flags = source()

      const readError = await rejectionOf(flags.read(FLAG))
      expect(readError.code).toBe('bad_input')
      for (const part of [envPath, `line ${line}`, variable, problem]) expect(readError.message).toContain(part)

      // The revision is what a read would have returned, so only the bad value stands in the way.
      const writeError = await rejectionOf(flags.write(FLAG, { enabled: false }, sha256(before.bytes)))
      expect(writeError.message).toBe(readError.message)

      expectUntouched(envPath, before)
      expect(folderEntries()).toEqual(['.env'])
    }
  )

  it.each<[string, FlagPatch]>([
    ['rollout 101', { rollout_percentage: 101 }],
    ['rollout -5', { rollout_percentage: -5 }],
    ['rollout 12.5', { rollout_percentage: 12.5 }],
    ['a malformed date', { start_date: '2025-10-32' }]
  ])('refuses to write %s and leaves the file as it was', async (_, patch) => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    const before = fingerprint(envPath)
    const flags = source()
    const error = await rejectionOf(flags.write(FLAG, patch, (await flags.read(FLAG)).revision))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(Object.keys(patch)[0])
    expectUntouched(envPath, before)
    expect(folderEntries()).toEqual(['.env'])
  })
})

describe('a kill past bad values', () => {
  const lines = (badLine: string): string =>
    ['# flags', 'export FEATURE_UNIFIED_LLM_HUB="true"', badLine, 'FEATURE_LLM_HUB_START_DATE=2025-10-27', ''].join(
      '\r\n'
    )

  it.each([
    ['ROLLOUT=25%', 'FEATURE_LLM_HUB_ROLLOUT=25%', 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    ['ROLLOUT=12.5', 'FEATURE_LLM_HUB_ROLLOUT=12.5', 'FEATURE_LLM_HUB_ROLLOUT', 'is not a percentage'],
    ['a malformed date', 'FEATURE_LLM_HUB_END_DATE=2025-31-12', 'FEATURE_LLM_HUB_END_DATE', 'is not a real date']
  ])(
    '%s: a kill read reports it by line, and the kill write changes only the enabled value',
    async (_, badLine, variable, problem) => {
      const text = lines(badLine)
      fs.writeFileSync(envPath, text)
      const flags = source()
      const read = await flags.read(FLAG, { forKill: true })
      expect(read.state.enabled).toBe(true)
      expect(read.unreadable).toEqual([
        { file: envPath, line: 3, variable, value: badLine.split('=')[1], problem: expect.stringContaining(problem) }
      ])

      const written = await flags.write(FLAG, { enabled: false }, read.revision, { forKill: true })
      expect(written.state.enabled).toBe(false)
      expect(written.unreadable).toEqual(read.unreadable)
      expect(fs.readFileSync(envPath, 'utf8')).toBe(
        text.replace('export FEATURE_UNIFIED_LLM_HUB="true"', 'export FEATURE_UNIFIED_LLM_HUB="false"')
      )
      expect(folderEntries()).toEqual(['.env'])
      // Every other read and write still refuses, naming the line.
      expect((await rejectionOf(flags.read(FLAG))).message).toContain(`${variable}=`)
    }
  )

  it('takes an unreadable enabled value for enabled, so the kill writes false over it', async () => {
    fs.writeFileSync(envPath, 'FEATURE_UNIFIED_LLM_HUB=maybe\nFEATURE_LLM_HUB_ROLLOUT=25\n')
    const flags = source()
    const read = await flags.read(FLAG, { forKill: true })
    expect(read.state).toMatchObject({ enabled: true, rollout_percentage: 25 })
    expect(read.unreadable?.map((found) => found.variable)).toEqual(['FEATURE_UNIFIED_LLM_HUB'])
    const written = await flags.write(FLAG, { enabled: false }, read.revision, { forKill: true })
    expect(written.unreadable).toBeUndefined()
    expect(fs.readFileSync(envPath, 'utf8')).toBe('FEATURE_UNIFIED_LLM_HUB=false\nFEATURE_LLM_HUB_ROLLOUT=25\n')
  })

  it.each([
    ['an unterminated quote', 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_WHITELIST="a@x.com\n'],
    ['a duplicated enabled key', 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_UNIFIED_LLM_HUB=false\n']
  ])('still refuses a file it cannot take apart line by line (%s), and leaves it as it was', async (_, text) => {
    fs.writeFileSync(envPath, text)
    const before = fingerprint(envPath)
    const error = await rejectionOf(source().read(FLAG, { forKill: true }))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('line 2')
    expectUntouched(envPath, before)
  })
})

describe('conflicts and failures', () => {
  it('refuses a write after an edit made elsewhere since the read, and the edit survives', async () => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    const flags = source()
    const { revision } = await flags.read(FLAG)
    const edited = SEED_ENV_DEVELOPMENT_TEXT.replace('FEATURE_LLM_HUB_ROLLOUT=0', 'FEATURE_LLM_HUB_ROLLOUT=37')
    fs.writeFileSync(envPath, edited)

    const error = await rejectionOf(flags.write(FLAG, { rollout_percentage: 10 }, revision))
    expect(error.code).toBe('conflict')
    expect(error.message).toContain(envPath)
    expect(fs.readFileSync(envPath, 'utf8')).toBe(edited)
    expect(folderEntries()).toEqual(['.env'])
  })

  it('lets only the first of two writes from the same read through', async () => {
    fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
    const flags = source()
    const { revision } = await flags.read(FLAG)
    const results = await Promise.allSettled([
      flags.write(FLAG, { rollout_percentage: 10 }, revision),
      flags.write(FLAG, { enabled: false }, revision)
    ])
    expect(results[0]?.status).toBe('fulfilled')
    expect(results[1]?.status === 'rejected' && (results[1].reason as RampartError).code).toBe('conflict')
    expect((await flags.read(FLAG)).state).toMatchObject({ enabled: true, rollout_percentage: 10 })
  })

  it(
    'refuses, and removes its temporary file, ' + 'when the file is edited elsewhere while the write is under way',
    async () => {
      fs.writeFileSync(envPath, SEED_ENV_DEVELOPMENT_TEXT)
      const edited = SEED_ENV_DEVELOPMENT_TEXT.replace('FEATURE_UNIFIED_LLM_HUB=true', 'FEATURE_UNIFIED_LLM_HUB=false')
      const editWhileWriting: EnvFileSystem = {
        ...fsPromises,
        open: (async (path: string, ...rest: unknown[]) => {
          if (path !== envPath && path.startsWith(`${folder}/`)) fs.writeFileSync(envPath, edited)
          return (fsPromises.open as (...args: unknown[]) => Promise<fsPromises.FileHandle>)(path, ...rest)
        }) as EnvFileSystem['open']
      }
      const flags = source(editWhileWriting)
      const error = await rejectionOf(flags.write(FLAG, { rollout_percentage: 10 }, (await flags.read(FLAG)).revision))
      expect(error.code).toBe('conflict')
      expect(fs.readFileSync(envPath, 'utf8')).toBe(edited)
      expect(folderEntries()).toEqual(['.env'])
    }
  )

  it('reports a failed rename, removes its temporary file and leaves the original untouched', async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const failingRename: EnvFileSystem = {
      ...fsPromises,
      rename: async () => {
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' })
      }
    }
    const flags = source(failingRename)
    const { revision } = await flags.read(FLAG)
    const before = fingerprint(envPath)

    const error = await rejectionOf(flags.write(FLAG, { enabled: false }, revision))
    expect(error.code).toBe('failed')
    expect(error.message).toBe(
      `could not write env file ${envPath}: EIO: i/o error, rename; the file was left unchanged`
    )
    expectUntouched(envPath, before)
    expect(folderEntries()).toEqual(['.env'])
  })

  it('reports a failed fsync the same way, before anything is renamed', async () => {
    fs.writeFileSync(envPath, MIXED_ENV_TEXT)
    const failingSync: EnvFileSystem = {
      ...fsPromises,
      open: (async (...args: Parameters<typeof fsPromises.open>) => {
        const handle = await fsPromises.open(...args)
        handle.sync = async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' })
        }
        return handle
      }) as EnvFileSystem['open']
    }
    const flags = source(failingSync)
    const { revision } = await flags.read(FLAG)
    const before = fingerprint(envPath)

    const error = await rejectionOf(flags.write(FLAG, { rollout_percentage: 50 }, revision))
    expect(error.code).toBe('failed')
    expect(error.message).toContain('ENOSPC')
    expectUntouched(envPath, before)
    expect(folderEntries()).toEqual(['.env'])
  })
})
