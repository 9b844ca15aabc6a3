import { describe, expect, it } from 'vitest'
import { parseLogSince } from '@main/docker/core/log-since'

const now = new Date('2025-11-01T12:00:00Z')

describe('parseLogSince', () => {
  it('reads an ISO 8601 instant with a zone', () => {
    expect(parseLogSince('2025-11-01T10:30:00+01:00', now).toISOString()).toBe('2025-11-01T09:30:00.000Z')
  })

  it('reads Unix seconds, fractions included', () => {
    expect(parseLogSince('1761998400.5', now).toISOString()).toBe('2025-11-01T12:00:00.500Z')
  })

  it('reads durations back from now, combined units included', () => {
    expect(parseLogSince('10m', now).toISOString()).toBe('2025-11-01T11:50:00.000Z')
    expect(parseLogSince('1h30m', now).toISOString()).toBe('2025-11-01T10:30:00.000Z')
    expect(parseLogSince('2d', now).toISOString()).toBe('2025-10-30T12:00:00.000Z')
    expect(parseLogSince('1.5s', now).toISOString()).toBe('2025-11-01T11:59:58.500Z')
  })

  it('refuses anything else, naming the option and the value', () => {
    expect(() => parseLogSince('yesterday', now)).toThrow(/--since "yesterday" is not an ISO 8601 instant/)
    expect(() => parseLogSince('2025-11-01T10:30:00', now, 'since')).toThrow(/^since "2025-11-01T10:30:00"/)
    expect(() => parseLogSince('10 minutes', now)).toThrow(/duration such as 10m/)
  })
})
