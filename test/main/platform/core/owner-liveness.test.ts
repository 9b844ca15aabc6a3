import { describe, expect, it } from 'vitest'
import { ownerGone, runInterruption } from '@main/platform/core/owner-liveness'

const NOW = Date.parse('2026-01-01T12:00:00Z')
const facts = { host: 'here', nowEpochMs: NOW, staleAfterMs: 60_000 }
const process = (host: string, secondsAgo: number) => ({
  pid: 42,
  host,
  heartbeatAt: new Date(NOW - secondsAgo * 1000).toISOString()
})

describe('runInterruption', () => {
  it('takes a run on this host whose pid is gone for interrupted at once', () => {
    expect(runInterruption(process('here', 1), { ...facts, pidAlive: false })).toBe('pid 42 on here is gone')
  })

  it('leaves a run with a live pid and a fresh heartbeat alone', () => {
    expect(runInterruption(process('here', 1), { ...facts, pidAlive: true })).toBeNull()
  })

  it('takes a live pid with a stopped heartbeat for interrupted (a pid reused after a crash)', () => {
    expect(runInterruption(process('here', 61), { ...facts, pidAlive: true })).toContain(
      'has not renewed its heartbeat for 61 s'
    )
  })

  it('judges a run of another host by its heartbeat only', () => {
    expect(runInterruption(process('there', 30), { ...facts, pidAlive: null })).toBeNull()
    expect(runInterruption(process('there', 90), { ...facts, pidAlive: null })).toContain('pid 42 on there')
  })

  it('takes a run recorded without a process for interrupted', () => {
    expect(runInterruption(null, { ...facts, pidAlive: null })).toContain('no process was recorded')
  })
})

describe('ownerGone', () => {
  it('takes a record whose owner pid is gone from this host for abandoned', () => {
    expect(ownerGone({ pid: 42, host: 'here' }, { host: 'here', pidAlive: false })).toBe('pid 42 on here is gone')
  })

  it('concludes nothing while the pid lives, or when the owner is on another host', () => {
    expect(ownerGone({ pid: 42, host: 'here' }, { host: 'here', pidAlive: true })).toBeNull()
    expect(ownerGone({ pid: 42, host: 'there' }, { host: 'here', pidAlive: null })).toBeNull()
    expect(ownerGone({ pid: 42, host: 'there' }, { host: 'here', pidAlive: false })).toBeNull()
  })

  it('takes a record without an owner for abandoned', () => {
    expect(ownerGone(null, { host: 'here', pidAlive: null })).toBe(
      'no process was recorded for it (written by an older Rampart)'
    )
  })
})
