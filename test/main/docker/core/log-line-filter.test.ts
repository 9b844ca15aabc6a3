import { describe, expect, it } from 'vitest'
import { RampartError } from '@shared/errors'
import { compileLogLineFilter, readEventType } from '@main/docker/core/log-line-filter'

const apiCall = '{"timestamp":"2025-11-01T12:00:00Z","event_type":"API_CALL","status_code":500}'
const error = '{"timestamp":"2025-11-01T12:00:01Z","event_type":"ERROR","message":"boom"}'
const plain = 'server listening on 8084'

describe('compileLogLineFilter', () => {
  it('returns null when nothing is filtered, so callers can skip the per-line test', () => {
    expect(compileLogLineFilter({})).toBeNull()
    expect(compileLogLineFilter({ grep: '', eventType: '' })).toBeNull()
  })

  it('matches --grep as a case-sensitive substring', () => {
    const keep = compileLogLineFilter({ grep: 'listening' })!
    expect([apiCall, error, plain, 'LISTENING'].filter(keep)).toEqual([plain])
  })

  it('matches --grep /pattern/flags as a regular expression', () => {
    const keep = compileLogLineFilter({ grep: '/"status_code":5\\d\\d|boom/i' })!
    expect([apiCall, error, plain].filter(keep)).toEqual([apiCall, error])
  })

  it('gives the same answer for every line (no lastIndex state leaks between lines)', () => {
    const keep = compileLogLineFilter({ grep: '/a/' })!
    expect([keep('a'), keep('a'), keep('a')]).toEqual([true, true, true])
  })

  it('refuses an invalid regular expression or the g/y flags, naming --grep', () => {
    expect(() => compileLogLineFilter({ grep: '/(unclosed/' })).toThrow(
      /--grep \/\(unclosed\/ is not a valid regular expression/
    )
    expect(() => compileLogLineFilter({ grep: '/a/g' })).toThrow(RampartError)
    expect(() => compileLogLineFilter({ grep: '/a/g' })).toThrow(/flag\(s\) "g"/)
  })

  it('keeps only JSON lines whose event_type is listed, ignoring case, and drops non-JSON lines', () => {
    const keep = compileLogLineFilter({ eventType: 'error, api_call' })!
    expect([apiCall, error, plain, '{"event_type":"PAGE_VIEW"}'].filter(keep)).toEqual([apiCall, error])
  })

  it('combines --grep and --event-type: both must match', () => {
    const keep = compileLogLineFilter({ grep: 'boom', eventType: 'API_CALL,ERROR' })!
    expect([apiCall, error, `${plain} boom`].filter(keep)).toEqual([error])
  })

  it('refuses an --event-type that names nothing', () => {
    expect(() => compileLogLineFilter({ eventType: ' , ' })).toThrow(/--event-type " , " names no event type/)
  })
})

describe('readEventType', () => {
  it('reads event_type from a JSON object line', () => {
    expect(readEventType(apiCall)).toBe('API_CALL')
    expect(readEventType(`  ${error}`)).toBe('ERROR')
  })

  it('returns null for non-JSON, broken JSON, arrays and non-string event types', () => {
    expect(readEventType(plain)).toBeNull()
    expect(readEventType('{"event_type":"API_CALL"')).toBeNull()
    expect(readEventType('["event_type"]')).toBeNull()
    expect(readEventType('{"event_type":3}')).toBeNull()
    expect(readEventType('prefix {"event_type":"ERROR"}')).toBeNull()
  })
})
