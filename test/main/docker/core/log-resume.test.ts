import { describe, expect, it } from 'vitest'
import { dockerTimestampNanos, isAfterLastShown, resumeSince } from '@main/docker/core/log-resume'

describe('where a followed log resumes', () => {
  it('reads Docker timestamps to the nanosecond, with trailing zeros trimmed or not', () => {
    expect(dockerTimestampNanos('2025-11-03T09:00:00.123456789Z')).toBe(1_762_160_400_123_456_789n)
    expect(dockerTimestampNanos('2025-11-03T09:00:00.1234Z')).toBe(1_762_160_400_123_400_000n)
    expect(dockerTimestampNanos('2025-11-03T09:00:00Z')).toBe(1_762_160_400_000_000_000n)
    expect(dockerTimestampNanos('2025-11-03T10:00:00.5+01:00')).toBe(1_762_160_400_500_000_000n)
    expect(dockerTimestampNanos('yesterday')).toBeNull()
  })

  it("resumes at the last line's millisecond and keeps only lines after it", () => {
    const last = '2025-11-03T09:00:00.123456789Z'
    expect(resumeSince(last)).toEqual(new Date('2025-11-03T09:00:00.123Z'))
    const lastNanos = dockerTimestampNanos(last)!
    expect(isAfterLastShown('2025-11-03T09:00:00.123456789Z', lastNanos)).toBe(false)
    expect(isAfterLastShown('2025-11-03T09:00:00.1234Z', lastNanos)).toBe(false)
    expect(isAfterLastShown('2025-11-03T09:00:00.12345679Z', lastNanos)).toBe(true)
    expect(isAfterLastShown(null, lastNanos)).toBe(true)
  })
})
