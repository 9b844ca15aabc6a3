import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDateGate, parseInstant } from '@main/flags/core/date-gate'
import { DateGateSchema } from '@shared/flag-state'

function epochOf(value: string | null | undefined, edge: 'start' | 'end'): number | null {
  const parsed = parseDateGate(value, edge)
  if (!parsed.ok) throw new Error(`expected ${String(value)} to parse: ${parsed.message}`)
  return parsed.epochMs
}

function messageOf(value: string, edge: 'start' | 'end' = 'start'): string {
  const parsed = parseDateGate(value, edge)
  if (parsed.ok) throw new Error(`expected ${value} to be refused`)
  return parsed.message
}

describe('parseDateGate', () => {
  it.each([null, undefined, ''])('treats %j as no gate', (value) => {
    expect(parseDateGate(value, 'start')).toEqual({ ok: true, epochMs: null })
    expect(parseDateGate(value, 'end')).toEqual({ ok: true, epochMs: null })
  })

  it('opens a date-only start at 00:00:00.000Z of that day', () => {
    expect(epochOf('2025-10-27', 'start')).toBe(Date.parse('2025-10-27T00:00:00.000Z'))
  })

  it('closes a date-only end at 23:59:59.999Z of that day', () => {
    expect(epochOf('2025-10-27', 'end')).toBe(Date.parse('2025-10-27T23:59:59.999Z'))
  })

  it('closes a date-only end on 29 February in a leap year at the end of that day', () => {
    expect(epochOf('2024-02-29', 'end')).toBe(Date.parse('2024-02-29T23:59:59.999Z'))
  })

  it('closes a date-only end on 31 December at the last millisecond of the year', () => {
    expect(epochOf('2025-12-31', 'end')).toBe(Date.parse('2026-01-01T00:00:00.000Z') - 1)
  })

  it('reads years below 100 as written, not as 19xx', () => {
    expect(epochOf('0050-03-01', 'start')).toBe(Date.parse('0050-03-01T00:00:00.000Z'))
    expect(epochOf('0050-03-01T10:00:00Z', 'start')).toBe(Date.parse('0050-03-01T10:00:00.000Z'))
  })

  it.each(['start', 'end'] as const)('takes a Z timestamp as given for a %s gate', (edge) => {
    expect(epochOf('2025-10-27T09:30:15Z', edge)).toBe(Date.parse('2025-10-27T09:30:15.000Z'))
  })

  it('applies a +02:00 offset: 00:00 at +02:00 is 22:00Z the day before', () => {
    expect(epochOf('2025-10-27T00:00:00+02:00', 'start')).toBe(Date.parse('2025-10-26T22:00:00.000Z'))
  })

  it('applies a negative offset with minutes: 20:00 at -05:30 is 01:30Z the next day', () => {
    expect(epochOf('2025-10-27T20:00:00-05:30', 'end')).toBe(Date.parse('2025-10-28T01:30:00.000Z'))
  })

  it('keeps fractional seconds to the millisecond', () => {
    expect(epochOf('2025-10-27T09:30:15.5Z', 'start')).toBe(Date.parse('2025-10-27T09:30:15.500Z'))
    expect(epochOf('2025-10-27T09:30:15.123+02:00', 'end')).toBe(Date.parse('2025-10-27T07:30:15.123Z'))
  })

  it('rounds a sub-millisecond start up and a sub-millisecond end down, so gates stay exact', () => {
    expect(epochOf('2025-10-27T09:30:15.1231Z', 'start')).toBe(Date.parse('2025-10-27T09:30:15.124Z'))
    expect(epochOf('2025-10-27T09:30:15.1239Z', 'end')).toBe(Date.parse('2025-10-27T09:30:15.123Z'))
    expect(epochOf('2025-10-27T09:30:15.123000Z', 'start')).toBe(Date.parse('2025-10-27T09:30:15.123Z'))
  })

  it('refuses 2025-02-30 and says February 2025 has 28 days', () => {
    const message = messageOf('2025-02-30')
    expect(message).toContain('"2025-02-30"')
    expect(message).toContain('February 2025 has 28 days')
  })

  it('refuses 29 February outside a leap year, including 1900', () => {
    expect(messageOf('2023-02-29')).toContain('February 2023 has 28 days')
    expect(messageOf('1900-02-29', 'end')).toContain('February 1900 has 28 days')
  })

  it('refuses 31 April and day 00', () => {
    expect(messageOf('2025-04-31')).toContain('April 2025 has 30 days')
    expect(messageOf('2025-04-00')).toContain('day 00 does not exist')
  })

  it('refuses month 13', () => {
    expect(messageOf('2025-13-01')).toContain('month 13 is out of range 01..12')
  })

  it('refuses an impossible date inside a timestamp', () => {
    expect(messageOf('2025-02-30T10:00:00Z')).toContain('February 2025 has 28 days')
  })

  it.each([
    ['2025-10-27T24:00:00Z', 'hour 24'],
    ['2025-10-27T10:60:00Z', 'minute 60'],
    ['2025-10-27T23:59:60Z', 'second 60'],
    ['2025-10-27T10:00:00+24:00', 'zone offset hours 24'],
    ['2025-10-27T10:00:00+02:60', 'zone offset minutes 60']
  ])('refuses %s naming %s', (value, part) => {
    expect(messageOf(value)).toContain(part)
  })

  it.each([
    '27/10/2025',
    '2025-1-7',
    '2025-10-27 10:00:00Z',
    '2025-10-27T10:00Z',
    '2025-10-27T10:00:00',
    '2025-10-27T10:00:00+0200',
    '2025-10-27t10:00:00z',
    ' 2025-10-27',
    'tomorrow'
  ])('refuses %j and shows the expected forms', (value) => {
    const message = messageOf(value)
    expect(message).toContain(JSON.stringify(value))
    expect(message).toContain('YYYY-MM-DD')
  })

  it('accepts exactly what the flag-state schema accepts', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'))
    const date = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), two(13), two(32))
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${m}-${d}`)
    const zone = fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), two(25), two(61)).map(([s, h, m]) => `${s}${h}:${m}`)
    )
    const timestamp = fc
      .tuple(date, two(25), two(61), two(61), fc.option(fc.stringMatching(/^\.\d{1,6}$/), { nil: '' }), zone)
      .map(([d, h, mi, s, frac, z]) => `${d}T${h}:${mi}:${s}${frac}${z}`)
    fc.assert(
      fc.property(fc.oneof(date, timestamp, fc.string()), (value) => {
        const ours = parseDateGate(value, 'start').ok
        expect(ours).toBe(DateGateSchema.safeParse(value).success)
        expect(parseDateGate(value, 'end').ok).toBe(ours)
      }),
      { numRuns: 5000 }
    )
  })
})

describe('parseInstant', () => {
  it('reads an ISO 8601 timestamp with an offset', () => {
    expect(parseInstant('2025-10-27T09:30:00+02:00')).toEqual({
      ok: true,
      epochMs: Date.parse('2025-10-27T07:30:00.000Z')
    })
  })

  it('refuses a date without a time, naming the value', () => {
    const parsed = parseInstant('2025-10-27')
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.message).toContain('"2025-10-27" is not an ISO 8601 timestamp')
  })

  it('refuses an impossible timestamp', () => {
    const parsed = parseInstant('2025-02-30T10:00:00Z')
    expect(parsed.ok ? '' : parsed.message).toContain('February 2025 has 28 days')
  })
})
