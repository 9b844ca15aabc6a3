import { hostname } from 'node:os'

/** The process that writes a record, as other processes on the same history file see it. */
export interface ProcessIdentity {
  pid: number
  host: string
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: hostname() }
}

/** Whether a process with this pid exists on this host (signal 0 checks without touching it). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
