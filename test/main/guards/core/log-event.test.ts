import { describe, expect, it } from 'vitest'
import { parseLogLine, UNPARSED_REASONS, type LogEvent } from '@main/guards/core/log-event'

const AT = '2025-11-01T12:00:00.250Z'
const AT_MS = Date.UTC(2025, 10, 1, 12, 0, 0, 250)

function event(line: string, fallback?: string | number | null): LogEvent {
  const parsed = parseLogLine(line, fallback)
  if (parsed.kind !== 'event') throw new Error(`expected an event, got unparsed: ${parsed.why}`)
  return parsed
}

describe('parseLogLine', () => {
  it('reads the canonical fields of an API_CALL', () => {
    const parsed = event(
      JSON.stringify({
        timestamp: AT,
        event_type: 'API_CALL',
        user_id: 'ada@example.com',
        status_code: 503,
        duration_ms: 12.5,
        endpoint: '/admin/llm-hub',
        method: 'POST',
        flags: { unified_llm_hub: true }
      })
    )
    expect(parsed).toEqual({
      kind: 'event',
      timestampMs: AT_MS,
      eventType: 'API_CALL',
      userId: 'ada@example.com',
      statusCode: 503,
      durationMs: 12.5,
      endpoint: '/admin/llm-hub',
      method: 'POST',
      flags: { unified_llm_hub: true },
      flag: null,
      enabled: null,
      reason: null,
      errorType: null,
      message: null
    })
  })

  it('reads FEATURE_FLAG and ERROR fields', () => {
    const flag = event(
      JSON.stringify({
        timestamp: AT,
        event_type: 'FEATURE_FLAG',
        user_id: 'u',
        flag: 'unified_llm_hub',
        enabled: false,
        reason: 'outside_rollout'
      })
    )
    expect([flag.flag, flag.enabled, flag.reason]).toEqual(['unified_llm_hub', false, 'outside_rollout'])
    const error = event(
      JSON.stringify({ timestamp: AT, event_type: 'ERROR', error_type: 'TimeoutError', message: 'upstream timed out' })
    )
    expect([error.errorType, error.message, error.statusCode, error.durationMs]).toEqual([
      'TimeoutError',
      'upstream timed out',
      null,
      null
    ])
  })

  it('uses a Docker timestamp prefix when the JSON has no timestamp', () => {
    const parsed = event(`2025-11-01T12:00:00.250999999Z {"event_type":"API_CALL","status_code":200,"duration_ms":3}`)
    expect(parsed.timestampMs).toBe(AT_MS)
  })

  it("prefers the JSON timestamp to Docker's", () => {
    const parsed = event(
      `2025-11-01T13:00:00.000000000Z {"timestamp":"${AT}","event_type":"API_CALL","status_code":200,"duration_ms":3}`
    )
    expect(parsed.timestampMs).toBe(AT_MS)
  })

  it('uses the timestamp the reader got from Docker separately when the JSON has none', () => {
    const line = '{"event_type":"PAGE_VIEW","user_id":"u"}'
    expect(event(line, '2025-11-01T12:00:00.250000000Z').timestampMs).toBe(AT_MS)
    expect(event(line, AT_MS).timestampMs).toBe(AT_MS)
  })

  it('takes a numeric user id as written and an empty one as absent', () => {
    expect(event(JSON.stringify({ timestamp: AT, event_type: 'PAGE_VIEW', user_id: 42 })).userId).toBe('42')
    expect(event(JSON.stringify({ timestamp: AT, event_type: 'PAGE_VIEW', user_id: '' })).userId).toBeNull()
  })

  it('ignores a flags field that is not an object', () => {
    expect(
      event(
        JSON.stringify({
          timestamp: AT,
          event_type: 'API_CALL',
          status_code: 200,
          duration_ms: 1,
          flags: ['unified_llm_hub']
        })
      ).flags
    ).toBeNull()
  })

  it('says why a line is not an event', () => {
    const cases: Array<[string, string]> = [
      ['Listening on 8080', UNPARSED_REASONS.notJson],
      ['{"timestamp":', UNPARSED_REASONS.notJson],
      ['', UNPARSED_REASONS.notJson],
      ['[1,2]', UNPARSED_REASONS.notObject],
      ['"text"', UNPARSED_REASONS.notObject],
      ['null', UNPARSED_REASONS.notObject],
      ['{"event_type":"API_CALL","status_code":200,"duration_ms":1}', UNPARSED_REASONS.noTimestamp],
      ['{"timestamp":"last tuesday","event_type":"API_CALL"}', UNPARSED_REASONS.badTimestamp],
      ['{"timestamp":1761998400,"event_type":"API_CALL"}', UNPARSED_REASONS.badTimestamp],
      [`{"timestamp":"${AT}","user_id":"u"}`, UNPARSED_REASONS.noEventType],
      [`{"timestamp":"${AT}","event_type":"API_CALL","duration_ms":1}`, UNPARSED_REASONS.noStatusCode],
      [
        `{"timestamp":"${AT}","event_type":"API_CALL","status_code":"500","duration_ms":1}`,
        UNPARSED_REASONS.noStatusCode
      ],
      [`{"timestamp":"${AT}","event_type":"API_CALL","status_code":500}`, UNPARSED_REASONS.noDuration],
      [`{"timestamp":"${AT}","event_type":"API_CALL","status_code":500,"duration_ms":-1}`, UNPARSED_REASONS.noDuration]
    ]
    for (const [line, why] of cases) expect(parseLogLine(line), line).toEqual({ kind: 'unparsed', why })
  })

  it('accepts indentation before the object', () => {
    expect(event(`  {"timestamp":"${AT}","event_type":"METRIC"}`).eventType).toBe('METRIC')
  })
})
