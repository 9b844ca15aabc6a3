import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GuardFieldReader } from '@main/guards/core/guard-field-reader'
import { parseLogLine, type ParsedLogLine } from '@main/guards/core/log-event'

const FLAG = 'unified_llm_hub'

/**
 * What the guard engine reads of a parsed line: the fields the reader promises to match (the
 * user id only where the cohort needs it: an API_CALL without a served flag).
 */
function guardView(parsed: ParsedLogLine | null): unknown {
  if (parsed === null || parsed.kind === 'unparsed') return parsed
  const served = parsed.flags === null ? undefined : parsed.flags[FLAG]
  const needsUser = parsed.eventType === 'API_CALL' && served !== true && served !== false
  return {
    timestampMs: parsed.timestampMs,
    eventType: parsed.eventType,
    userId: needsUser ? parsed.userId : null,
    statusCode: parsed.statusCode,
    durationMs: parsed.durationMs,
    served: served === true || served === false ? served : null
  }
}

/** The line's bytes, with something after them as in a segment (the reader must stop at the line's end). */
function expectSameAsParseLogLine(reader: GuardFieldReader, line: string): void {
  const bytes = Buffer.from(`${line}\n{"timestamp":"2025-11-01T12:00:00Z","event_type":"NEXT"}`)
  const end = Buffer.byteLength(line)
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  expect(guardView(reader.read(bytes, 0, end)), line).toEqual(guardView(text === '' ? null : parseLogLine(text)))
}

// Values of every JSON type, the ones the guard fields expect and the ones they must refuse.
const anyValue = fc.oneof(
  fc.string(),
  fc.constantFrom('', 'API_CALL', 'ERROR', '2025-11-01T12:00:00.000Z', '2025-11-01 12:00:00,5+01:00', 'not a time'),
  // Timestamps sharing their minute, so the reader's cached minute is used, in every accepted form and a few refused.
  fc.constantFrom(
    '2025-11-01T12:00:07',
    '2025-11-01T12:00:59.9z',
    '2025-11-01T12:00:07.123456789Z',
    '2025-11-01T12:00:07,12Z',
    '2025-11-01T12:00:07+02:00',
    '2025-11-01T12:00:07-0130',
    '2025-11-01T12:00:60Z',
    '2025-11-01T12:00:07.Z',
    '2025-11-01T12:00:07ZZ',
    '2025-11-01T12:00:0',
    '2025-11-01T12:00:07.5é',
    '2024-02-29T23:59:01Z',
    '2025-02-29T23:59:01Z'
  ),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(200, 500, 0, -0, 1.5, 1e21, 123.456, 2 ** 53 + 2, 0.1, 1234567890.12345, -17.25),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(FLAG, 'other', 'x'), fc.oneof(fc.boolean(), fc.integer(), fc.constant(null)))
)
const keys = fc.constantFrom(
  'timestamp',
  'event_type',
  'user_id',
  'status_code',
  'duration_ms',
  'flags',
  'endpoint',
  'message',
  'nested',
  FLAG
)

/** A record as JSON, with whitespace and the key order varied, and keys sometimes repeated. */
const recordLine = fc
  .tuple(fc.array(fc.tuple(keys, anyValue), { maxLength: 9 }), fc.constantFrom('', ' ', '\t', '  '), fc.boolean())
  .map(([pairs, space, pretty]) => {
    const body = pairs
      .map(([key, value]) => `${JSON.stringify(key)}${space}:${space}${JSON.stringify(value, null, pretty ? 1 : 0)}`)
      .join(`,${space}`)
    return `{${space}${body}${space}}`
  })

/** A valid event line, then cut, padded or with a character replaced: the shapes of a damaged log. */
const damagedLine = fc
  .tuple(recordLine, fc.nat(), fc.constantFrom('', '"', '\\', '}', ',', ' x', '\\u0041', '\u00e9', '{', ']'))
  .map(([line, at, insert]) => {
    const cut = at % (line.length + 1)
    return line.slice(0, cut) + insert + line.slice(cut + (insert === '' ? 0 : 1))
  })

describe('GuardFieldReader', () => {
  it('reads what parseLogLine reads, for generated records of every field type and order', () => {
    const reader = new GuardFieldReader(FLAG)
    fc.assert(
      fc.property(recordLine, (line) => expectSameAsParseLogLine(reader, line)),
      { numRuns: 3000 }
    )
  })

  it('gives the same result as parseLogLine for damaged lines, escapes and non-ASCII text', () => {
    const reader = new GuardFieldReader(FLAG)
    fc.assert(
      fc.property(damagedLine, (line) => expectSameAsParseLogLine(reader, line)),
      { numRuns: 3000 }
    )
  })

  it('reads a line behind a Docker timestamp, blank lines and carriage returns as parseLogLine does', () => {
    const reader = new GuardFieldReader(FLAG)
    const event = '{"event_type":"API_CALL","status_code":200,"duration_ms":5,"user_id":"a"}'
    expectSameAsParseLogLine(reader, `2025-11-01T12:00:00.123456789Z ${event}`)
    expectSameAsParseLogLine(reader, event.replace('{', '{"timestamp":null,'))
    expectSameAsParseLogLine(reader, event.replace('{', '{"timestamp":"2025-11-01T12:00:00Z",') + '\r')
    expectSameAsParseLogLine(reader, '\r')
    expectSameAsParseLogLine(reader, '')
  })

  it('reads the lines services write, escapes and nesting included', () => {
    const reader = new GuardFieldReader(FLAG)
    const at = '"timestamp":"2025-11-01T12:00:00Z"'
    const call = '"event_type":"API_CALL"'
    for (const line of [
      `{${at},${call},"user_id":"user-1@example.com","status_code":200,"duration_ms":12.5,` +
        '"flags":{"unified_llm_hub":true}}',
      `{${at},${call},"user_id":42,"status_code":503,"duration_ms":0,` +
        '"flags":{"other":{"deep":[1,{"a":null}]},"unified_llm_hub":false}}',
      `{${at},${call},"user_id":"\\u00e9l\\u00e8ve","status_code":200,"duration_ms":3}`,
      `{${at},${call},"user_id":"élève","status_code":200,"duration_ms":3}`,
      `{${at},${call},"status_code":200.0,"duration_ms":1e2}`,
      `{${at},${call},"status_code":200,"duration_ms":-1}`,
      `{${at},${call},"status_code":200,"duration_ms":1e400}`,
      `{${at},"event_type":"ERROR","user_id":"","flags":[true]}`,
      `{${at},"event_type":"ERROR"} trailing`,
      `{${at},"event_type":"ERROR",}`,
      `{${at},"event_type":"ERROR","n":01}`,
      `{${at},"timestamp":"bad","event_type":"ERROR"}`,
      `{"flags":{"unified_llm_hub":true},"flags":{},${at},${call},"status_code":1,"duration_ms":1}`,
      '{}',
      '  {"timestamp":"2025-11-01T12:00:00Z","event_type":"X"}',
      '42',
      'plain text'
    ])
      expectSameAsParseLogLine(reader, line)
  })
})
