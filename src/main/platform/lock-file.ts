import { randomBytes } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { LockHolder } from '@shared/error-details'
import { processExists } from './process-liveness'

export type LockAttempt =
  { acquired: true; release: () => Promise<void> } | { acquired: false; holder: LockHolder | null; path: string }

interface LockContent extends LockHolder {
  token: string
}

/** A lock is held for milliseconds (one read-check-write); one this old belongs to a process that died. */
const DEFAULT_STALE_MS = 120_000

/**
 * An exclusive lock between processes (the app and the CLI, two operators' consoles), held as a
 * file created with O_EXCL. It is tried once, never waited for (except by `acquireWithin`): a
 * caller that finds it held is told who holds it. A lock left by a crashed process is taken over
 * when its process is gone (same machine) or it is older than `staleMs`.
 */
export class LockFile {
  private readonly staleMs: number

  constructor(
    readonly path: string,
    options: { staleMs?: number } = {}
  ) {
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS
  }

  async tryAcquire(actor: string): Promise<LockAttempt> {
    const content: LockContent = {
      actor,
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      token: randomBytes(16).toString('hex')
    }
    // Twice at most: once, and once more after taking over a stale lock.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (await this.create(content)) return { acquired: true, release: () => this.release(content.token) }
      const holder = await this.readHolder()
      if (!(await this.isStale(holder))) return { acquired: false, holder, path: this.path }
      await this.removeStale()
    }
    return { acquired: false, holder: await this.readHolder(), path: this.path }
  }

  /**
   * Tries, and while another live holder has it tries again every `pollMs` for up to `waitMs`:
   * for the one caller that must not be turned away by a lock held for milliseconds (the kill).
   */
  async acquireWithin(actor: string, waitMs: number, pollMs = 25): Promise<LockAttempt> {
    const waitUntil = performance.now() + waitMs
    for (;;) {
      const attempt = await this.tryAcquire(actor)
      if (attempt.acquired || performance.now() >= waitUntil) return attempt
      await sleep(pollMs)
    }
  }

  private async create(content: LockContent): Promise<boolean> {
    let handle
    try {
      handle = await open(this.path, 'wx', 0o644)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw error
    }
    try {
      await handle.writeFile(JSON.stringify(content))
    } finally {
      await handle.close()
    }
    return true
  }

  /**
   * Removes the lock only while it is still ours, so a lock taken over as stale is not removed from
   * under its new holder.
   */
  private async release(token: string): Promise<void> {
    const holder = await this.readContent()
    if (holder?.token === token) await unlink(this.path).catch(() => undefined)
  }

  private async readHolder(): Promise<LockHolder | null> {
    const content = await this.readContent()
    if (content === null) return null
    return { actor: content.actor, pid: content.pid, host: content.host, since: content.since }
  }

  private async readContent(): Promise<LockContent | null> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as Partial<LockContent>
      if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null
      return {
        actor: String(parsed.actor ?? 'unknown'),
        pid: parsed.pid,
        host: parsed.host,
        since: String(parsed.since ?? ''),
        token: String(parsed.token ?? '')
      }
    } catch {
      // Missing, half-written or not ours: the caller judges it by age.
      return null
    }
  }

  private async isStale(holder: LockHolder | null): Promise<boolean> {
    if (holder !== null && holder.host === hostname() && !processExists(holder.pid)) return true
    try {
      return Date.now() - (await stat(this.path)).mtimeMs > this.staleMs
    } catch {
      // Gone meanwhile: the next attempt to create it decides.
      return true
    }
  }

  /** Moved aside first: of two processes taking over the same stale lock, only one rename succeeds. */
  private async removeStale(): Promise<void> {
    const aside = `${this.path}.stale-${randomBytes(6).toString('hex')}`
    try {
      await rename(this.path, aside)
    } catch {
      return
    }
    await unlink(aside).catch(() => undefined)
  }
}
