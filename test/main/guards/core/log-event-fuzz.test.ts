/**
 * The log-event parser over more than a million generated lines: it never throws, and what it
 * returns is always one of its two shapes with sane fields. fast-check draws the ingredients
 * (real events, near-miss events, Docker prefixes, garbage); a cheap seeded mixer then cuts,
 * splices and corrupts them into the lines, so a million of them cost about a second.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseLogLine, UNPARSED_REASONS, type ParsedLogLine } from '@main/guards/core/log-event'

const LINES_PER_RUN = 250_000
const RUNS = 4

const instant = fc
  .date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString())
const timestampText = fc.oneof(
  instant,
  instant.map((iso) => iso.replace('Z', '+02:00')),
  instant.map((iso) => iso.replace('T', ' ').replace('Z', '')),
  instant.map((iso) => iso.replace(/\.\d+Z$/, '.123456789Z')),
  fc.string({ maxLength: 30 })
)
const eventType = fc.oneof(
  fc.constantFrom('API_CALL', 'ERROR', 'PAGE_VIEW', 'FEATURE_FLAG', 'FEATURE_USAGE', 'METRIC', ''),
  fc.string({ maxLength: 10 })
)
const record = fc.record(
  {
    timestamp: fc.oneof(timestampText, fc.constant(null), fc.integer()),
    event_type: fc.oneof(eventType, fc.integer(), fc.constant(null)),
    user_id: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null)),
    status_code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.double(), fc.string({ maxLength: 3 })),
    duration_ms: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double(), fc.string({ maxLength: 3 })),
    endpoint: fc.oneof(fc.webPath(), fc.integer()),
    method: fc.constantFrom('GET', 'POST', 1),
    flags: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.boolean()), fc.array(fc.boolean()), fc.string()),
    flag: fc.string({ maxLength: 16 }),
    enabled: fc.oneof(fc.boolean(), fc.string({ maxLength: 4 })),
    reason: fc.string({ maxLength: 12 }),
    message: fc.string({ maxLength: 40, unit: 'grapheme' })
  },
  { requiredKeys: [] }
)
// Events as the service writes them, so the mix reaches every field of the event path.
const wellFormed = fc.record({
  timestamp: instant,
  event_type: fc.constantFrom('API_CALL', 'ERROR', 'FEATURE_FLAG'),
  user_id: fc.string({ maxLength: 12 }),
  status_code: fc.integer({ min: 100, max: 599 }),
  duration_ms: fc.integer({ min: 0, max: 10_000_000 }).map((hundredths) => hundredths / 100),
  flags: fc.dictionary(fc.string({ maxLength: 8 }), fc.boolean(), { maxKeys: 3 })
})
const fragment = fc.oneof(
  { weight: 4, arbitrary: wellFormed.map((value) => JSON.stringify(value)) },
  { weight: 4, arbitrary: record.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 80, unit: 'binary' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '}', '{"a":', '[]', 'null', '"x"', '-', 'true', '   {}', '{"__proto__":{"x":1}}')
  }
)
const prefix = fc.oneof(
  fc.constant(''),
  instant.map((iso) => `${iso.replace('Z', '123456Z')} `),
  fc.constant('  ')
)

/** xorshift32: the cheap, seeded randomness of the mixer (fast-check's own would cost more per line). */
function mixer(seed: number): (bound: number) => number {
  let state = seed | 1
  return (bound) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % bound
  }
}

/** One line from the ingredients: as is, cut, spliced with another, or with a character replaced. */
function mixLine(random: (bound: number) => number, fragments: string[], prefixes: string[]): string {
  const body = fragments[random(fragments.length)]!
  const head = prefixes[random(prefixes.length)]!
  switch (random(8)) {
    case 0:
      return head + body.slice(0, random(body.length + 1))
    case 1: {
      const other = fragments[random(fragments.length)]!
      return head + body.slice(0, random(body.length + 1)) + other.slice(random(other.length + 1))
    }
    case 2: {
      const at = random(body.length + 1)
      return head + body.slice(0, at) + String.fromCharCode(random(0x10000)) + body.slice(at + 1)
    }
    default:
      return head + body
  }
}

const REASONS = new Set<string>(Object.values(UNPARSED_REASONS))

function checkShape(parsed: ParsedLogLine): void {
  if (parsed.kind === 'unparsed') {
    if (!REASONS.has(parsed.why)) throw new Error(`unknown reason ${parsed.why}`)
    return
  }
  if (!Number.isFinite(parsed.timestampMs)) throw new Error(`event with timestamp ${parsed.timestampMs}`)
  if (typeof parsed.eventType !== 'string' || parsed.eventType === '') throw new Error('event without a type')
  if (parsed.eventType === 'API_CALL' && (parsed.statusCode === null || parsed.durationMs === null))
    throw new Error('API_CALL without status or duration')
  if (parsed.durationMs !== null && !Number.isFinite(parsed.durationMs)) throw new Error('non-finite duration')
}

describe('parseLogLine over generated lines', () => {
  it('never throws over a million lines, and returns an event or a known reason', () => {
    let parsedLines = 0
    let events = 0
    fc.assert(
      fc.property(
        fc.array(fragment, { minLength: 200, maxLength: 400 }),
        fc.array(prefix, { minLength: 4, maxLength: 8 }),
        fc.integer(),
        (fragments, prefixes, seed) => {
          const random = mixer(seed)
          for (let index = 0; index < LINES_PER_RUN; index++) {
            const line = mixLine(random, fragments, prefixes)
            const parsed = parseLogLine(line, random(4) === 0 ? Date.UTC(2025, 10, 1) : null)
            checkShape(parsed)
            if (parsed.kind === 'event') events++
          }
          parsedLines += LINES_PER_RUN
        }
      ),
      { numRuns: RUNS }
    )
    expect(parsedLines).toBeGreaterThanOrEqual(1_000_000)
    // The mix must reach the event path, not only the refusals.
    expect(events).toBeGreaterThan(parsedLines / 10)
  }, 120_000)

  it('reads the fields of any well-formed API_CALL exactly as written', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 100, max: 599 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.string({ maxLength: 20 }),
        (timestamp, statusCode, durationMs, userId) => {
          const parsed = parseLogLine(
            JSON.stringify({
              timestamp,
              event_type: 'API_CALL',
              status_code: statusCode,
              duration_ms: durationMs,
              user_id: userId
            })
          )
          expect(parsed).toMatchObject({
            kind: 'event',
            timestampMs: Date.parse(timestamp),
            statusCode,
            durationMs,
            userId: userId === '' ? null : userId
          })
        }
      )
    )
  })
})
