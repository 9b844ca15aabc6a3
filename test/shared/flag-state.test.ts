import { describe, expect, it } from 'vitest'
import { FlagStateSchema } from '@shared/flag-state'

const BASE = { enabled: true, rollout_percentage: 25 }

describe('FlagStateSchema date gates', () => {
  it.each([
    '2025-10-27',
    '2024-02-29',
    '2025-10-27T09:30:00Z',
    '2025-10-27T09:30:00.123+02:00',
    '2025-10-27T09:30:00-05:30'
  ])('accepts %s', (value) => {
    const parsed = FlagStateSchema.parse({ ...BASE, start_date: value, end_date: value })
    expect([parsed.start_date, parsed.end_date]).toEqual([value, value])
  })

  it('turns an empty date into null', () => {
    const parsed = FlagStateSchema.parse({ ...BASE, start_date: '', end_date: '' })
    expect([parsed.start_date, parsed.end_date]).toEqual([null, null])
  })

  it('defaults missing dates to null', () => {
    const parsed = FlagStateSchema.parse(BASE)
    expect([parsed.start_date, parsed.end_date]).toEqual([null, null])
  })

  it.each(['2025-02-30', '2023-02-29', '2025-13-01', '27/10/2025', '2025-10-27T10:00', '2025-10-27T10:00:00', 'soon'])(
    'refuses end_date %s with a message naming the field and the expected forms',
    (value) => {
      const result = FlagStateSchema.safeParse({ ...BASE, end_date: value })
      expect(result.success).toBe(false)
      const issue = result.error!.issues[0]!
      expect(issue.path).toEqual(['end_date'])
      expect(issue.message).toContain('YYYY-MM-DD')
    }
  )
})
