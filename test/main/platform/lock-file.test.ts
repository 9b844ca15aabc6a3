import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LockFile } from '@main/platform/lock-file'

let dir: string
let lockPath: string
const children: ChildProcess[] = []

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-lock-'))
  lockPath = path.join(dir, '.env.rampart-lock')
})

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** A process that exists for the length of the test, standing in for another Rampart. */
function liveProcessPid(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  children.push(child)
  return child.pid!
}

/** The pid of a process that has already exited. */
function deadProcessPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!
}

function writeHolder(pid: number, host = os.hostname()): void {
  writeFileSync(
    lockPath,
    JSON.stringify({ actor: 'other', pid, host, since: '2025-11-03T09:00:00.000Z', token: 'theirs' })
  )
}

describe('LockFile', () => {
  it('takes a free lock, writes who holds it, and removes it on release', async () => {
    const lock = new LockFile(lockPath)
    const attempt = await lock.tryAcquire('alice')
    expect(attempt.acquired).toBe(true)
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({
      actor: 'alice',
      pid: process.pid,
      host: os.hostname()
    })
    if (attempt.acquired) await attempt.release()
    expect(existsSync(lockPath)).toBe(false)
  })

  it('refuses a held lock and says who holds it', async () => {
    const first = await new LockFile(lockPath).tryAcquire('alice')
    const second = await new LockFile(lockPath).tryAcquire('bob')
    expect(first.acquired).toBe(true)
    expect(second).toMatchObject({ acquired: false, path: lockPath, holder: { actor: 'alice', pid: process.pid } })
  })

  it('gives the lock to exactly one of many simultaneous takers', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => new LockFile(lockPath).tryAcquire(`operator-${i}`))
    )
    expect(attempts.filter((attempt) => attempt.acquired)).toHaveLength(1)
  })

  it('can be taken again after release', async () => {
    const lock = new LockFile(lockPath)
    const first = await lock.tryAcquire('alice')
    if (first.acquired) await first.release()
    expect((await lock.tryAcquire('bob')).acquired).toBe(true)
  })

  it('refuses a lock held by another live process on this machine', async () => {
    writeHolder(liveProcessPid())
    expect((await new LockFile(lockPath).tryAcquire('alice')).acquired).toBe(false)
  })

  it('takes over a lock left by a process that no longer exists', async () => {
    writeHolder(deadProcessPid())
    const attempt = await new LockFile(lockPath).tryAcquire('alice')
    expect(attempt.acquired).toBe(true)
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).actor).toBe('alice')
    expect(readdirSync(dir)).toEqual(['.env.rampart-lock'])
  })

  it('takes over a lock from another machine only once it is older than the stale age', async () => {
    writeHolder(1, 'some-other-host')
    const lock = new LockFile(lockPath, { staleMs: 60_000 })
    expect((await lock.tryAcquire('alice')).acquired).toBe(false)
    const old = new Date(Date.now() - 120_000)
    utimesSync(lockPath, old, old)
    expect((await lock.tryAcquire('alice')).acquired).toBe(true)
  })

  it('does not remove a lock someone else took over meanwhile', async () => {
    const lock = new LockFile(lockPath)
    const attempt = await lock.tryAcquire('alice')
    writeHolder(liveProcessPid())
    if (attempt.acquired) await attempt.release()
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).token).toBe('theirs')
  })

  it('reports a folder it cannot create the lock in', async () => {
    await expect(new LockFile(path.join(dir, 'missing', 'x.lock')).tryAcquire('alice')).rejects.toThrow(/ENOENT/)
  })
})
