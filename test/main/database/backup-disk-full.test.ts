/**
 * The disk fills up while `rampart db rollback` writes its backup. The backups folder
 * ($RAMPART_HOME/backups) is a small filesystem made by this test (a loop-mounted ext4 image; a
 * size-limited tmpfs where loop devices are not available), filled until a new dump cannot fit.
 * The rollback must fail naming the backup file, leave no partial file, roll nothing back, and
 * leave the earlier backup and the history as they were; with room again, the same command
 * completes.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync,
  ftruncateSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import { PROJECT_MIGRATIONS } from '@test/support/database-bench'
import { POSTGRES_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'

const DATABASE = 'disk_full_test'
const FILESYSTEM_BYTES = 8 * 1024 * 1024
/** Room left on the filesystem for the dump that must not fit (the ballast dumps to well over 1 MiB). */
const ROOM_LEFT_BYTES = 128 * 1024

let fixture: PostgresFixture
let dir: string
let home: string
let backups: string
let filler: string
let mounted = false
let filesystemKind: string

/** A filesystem of FILESYSTEM_BYTES at `mountPoint`: a loop-mounted ext4 image, else a tmpfs. */
function mountSmallFilesystem(mountPoint: string): string {
  const image = join(dir, 'backups.img')
  try {
    execFileSync('truncate', ['-s', String(FILESYSTEM_BYTES), image])
    execFileSync('mkfs.ext4', ['-q', '-F', image])
    execFileSync('mount', ['-o', 'loop', image, mountPoint], { stdio: 'pipe' })
    return 'loop-mounted ext4'
  } catch (loopError) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FILESYSTEM_BYTES}`, 'tmpfs', mountPoint], { stdio: 'pipe' })
      return 'tmpfs'
    } catch (tmpfsError) {
      throw new Error(
        `cannot make a small filesystem at ${mountPoint} (the test runs as root): loop mount failed ` +
          `(${(loopError as Error).message.trim()}), tmpfs failed (${(tmpfsError as Error).message.trim()})`
      )
    }
  }
}

/** Writes `file` until the filesystem is full, then gives back `roomBytes`. */
function fillLeaving(file: string, roomBytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, 0x5a)
  const fd = openSync(file, 'w')
  try {
    for (;;) {
      try {
        writeSync(fd, chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break
        throw error
      }
    }
    ftruncateSync(fd, Math.max(0, fstatSync(fd).size - roomBytes))
  } finally {
    closeSync(fd)
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function rampart(args: string[]): CliRun {
  const env: Record<string, string> = { RAMPART_HOME: home, DISK_FULL_PG_PASSWORD: FIXTURE_PASSWORD }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  return runRampart(args, { cwd: dir, env })
}

function ok(run: CliRun): CliRun {
  expect(run.status, run.stderr).toBe(0)
  return run
}

/** The history's events by seq, as `history list` shows them. */
function recordedEvents(): Map<number, { seq: number; outcome?: string }> {
  const events = jsonLines(ok(rampart(['history', 'list', '--limit', '1000000', '--json'])).stdout) as Array<{
    seq: number
    outcome?: string
  }>
  return new Map(events.map((event) => [event.seq, event]))
}

function currentVersion(): number {
  const lines = jsonLines(ok(rampart(['db', 'status', '--json'])).stdout) as Array<{
    result: { currentVersion: number }
  }>
  return lines[0]!.result.currentVersion
}

/** Every file in the backups folder, relative to it (the filler excluded). */
function backupFiles(): string[] {
  return readdirSync(backups, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && join(entry.parentPath, entry.name) !== filler)
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

beforeAll(async () => {
  requireBuiltCli()
  dir = mkdtempSync(join(tmpdir(), 'rampart-disk-full-'))
  home = join(dir, 'home')
  backups = join(home, 'backups')
  filler = join(backups, 'filler')
  mkdirSync(backups, { recursive: true })
  filesystemKind = mountSmallFilesystem(backups)
  mounted = true
  fixture = await startPostgresFixture('disk-full')
  writeFileSync(
    join(dir, 'rampart.config.yaml'),
    [
      'default_environment: dev',
      'environments:',
      '  dev:',
      '    postgres:',
      `      container: ${fixture.container}`,
      `      image: ${POSTGRES_FIXTURE_IMAGE}`,
      '      host: 127.0.0.1',
      `      port: ${fixture.port}`,
      `      user: ${FIXTURE_USER}`,
      '      password: ${DISK_FULL_PG_PASSWORD}',
      `      database: ${DATABASE}`,
      '      disposable: true',
      '      network: host',
      `    migrations: ${PROJECT_MIGRATIONS}`,
      ''
    ].join('\n')
  )
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
  if (mounted) {
    try {
      execFileSync('umount', [backups], { stdio: 'pipe' })
    } catch {
      // Busy (a process still holds a file there): detach it now, freed when released.
      execFileSync('umount', ['-l', backups], { stdio: 'pipe' })
    }
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('db rollback when the disk fills up during its backup', () => {
  it('fails naming the backup file, no partial file left, the old backup and history intact; then completes', () => {
    ok(rampart(['db', 'setup']))
    const first = jsonLines(ok(rampart(['db', 'rollback', '--confirm', '--json'])).stdout).at(-1) as {
      result: { backup: { file: string; sha256: string } }
    }
    const earlierBackup = first.result.backup
    expect(earlierBackup.file.startsWith(backups)).toBe(true)
    ok(rampart(['db', 'migrate']))
    // Random text compresses little: its dump cannot fit in the room left below.
    execFileSync('docker', [
      'exec',
      '-e',
      `PGPASSWORD=${FIXTURE_PASSWORD}`,
      fixture.container,
      'psql',
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      String(fixture.port),
      '-U',
      FIXTURE_USER,
      '-d',
      DATABASE,
      '-c',
      'CREATE TABLE ballast AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS noise ' +
        'FROM generate_series(1, 40000) AS g'
    ])
    fillLeaving(filler, ROOM_LEFT_BYTES)
    const historyBefore = recordedEvents()

    const full = rampart(['db', 'rollback', '--confirm'])

    expect(full.status, `${filesystemKind}: ${full.stdout}`).toBe(1)
    const attempted = /Cannot write the backup (\S+\.dump)/.exec(full.stderr)
    expect(attempted, full.stderr).not.toBeNull()
    expect(attempted![1]!.startsWith(join(backups, 'dev'))).toBe(true)
    expect(full.stderr).toContain('ENOSPC')
    expect(full.stderr).not.toMatch(/\n {4}at /)
    expect(backupFiles()).toEqual([earlierBackup.file])
    expect(sha256(earlierBackup.file)).toBe(earlierBackup.sha256)
    expect(currentVersion()).toBe(2)
    const verify = ok(rampart(['history', 'verify']))
    expect(verify.stdout).toContain('chain intact')
    // Every event recorded before is still there, unchanged, and the failed attempt is recorded after them.
    const after = recordedEvents()
    for (const [seq, event] of historyBefore) expect(after.get(seq)).toEqual(event)
    const attempt = [...after.values()].filter((event) => event.seq > Math.max(...historyBefore.keys()))
    expect(attempt.map((event) => event.outcome)).toContain('failed')

    rmSync(filler)
    const again = jsonLines(ok(rampart(['db', 'rollback', '--confirm', '--json'])).stdout).at(-1) as {
      result: { toVersion: number; backup: { file: string; sha256: string } }
    }
    expect(again.result.toVersion).toBe(1)
    expect(backupFiles()).toEqual([earlierBackup.file, again.result.backup.file].sort())
    expect(sha256(again.result.backup.file)).toBe(again.result.backup.sha256)
    expect(sha256(earlierBackup.file)).toBe(earlierBackup.sha256)
  }, 180_000)
})
