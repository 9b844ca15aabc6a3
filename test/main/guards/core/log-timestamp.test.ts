import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseLogTimestampMs } from '@main/guards/core/log-timestamp'

describe('parseLogTimestampMs', () => {
  it('reads every instant written by toISOString exactly as Date.parse does', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
        (date) => {
          const text = date.toISOString()
          expect(parseLogTimestampMs(text)).toBe(date.getTime())
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("cuts Docker's nanoseconds to milliseconds instead of rounding into the next one", () => {
    expect(parseLogTimestampMs('2025-11-01T12:00:59.999999999Z')).toBe(Date.UTC(2025, 10, 1, 12, 0, 59, 999))
  })

  it('reads one or two fraction digits as tenths and hundredths', () => {
    expect(parseLogTimestampMs('2025-11-01T12:00:00.5Z')).toBe(Date.UTC(2025, 10, 1, 12, 0, 0, 500))
    expect(parseLogTimestampMs('2025-11-01T12:00:00,25Z')).toBe(Date.UTC(2025, 10, 1, 12, 0, 0, 250))
  })

  it('applies a zone offset in any of its ISO forms', () => {
    const noon = Date.UTC(2025, 10, 1, 12, 0, 0)
    expect(parseLogTimestampMs('2025-11-01T14:00:00+02:00')).toBe(noon)
    expect(parseLogTimestampMs('2025-11-01T14:00:00+0200')).toBe(noon)
    expect(parseLogTimestampMs('2025-11-01T14:00:00+02')).toBe(noon)
    expect(parseLogTimestampMs('2025-11-01T06:30:00-05:30')).toBe(noon)
  })

  it('takes a time without a zone as UTC, as datetime.utcnow().isoformat() writes it', () => {
    expect(parseLogTimestampMs('2025-11-01T12:00:00.123456')).toBe(Date.UTC(2025, 10, 1, 12, 0, 0, 123))
    expect(parseLogTimestampMs('2025-11-01 12:00:00')).toBe(Date.UTC(2025, 10, 1, 12, 0, 0))
  })

  it('rejects text that is not such an instant', () => {
    for (const text of [
      '',
      'yesterday',
      '2025-11-01',
      '2025-11-01T12:00Z',
      '2025-02-29T12:00:00Z',
      '2025-13-01T12:00:00Z',
      '2025-11-01T24:00:00Z',
      '2025-11-01T12:60:00Z',
      '2025-11-01T12:00:00.Z',
      '2025-11-01T12:00:00Zjunk',
      '2025-11-01T12:00:00+25:00',
      '2025/11/01T12:00:00Z',
      'Sat, 01 Nov 2025 12:00:00 GMT'
    ]) {
      expect(parseLogTimestampMs(text), text).toBeNaN()
    }
  })

  it('accepts 29 February in a leap year', () => {
    expect(parseLogTimestampMs('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29))
  })
})
