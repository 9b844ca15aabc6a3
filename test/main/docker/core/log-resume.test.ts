import { describe, expect, it } from 'vitest'
import type { LogLine } from '@shared/log-line'
import { dockerTimestampNanos, LogResumePoint } from '@main/docker/core/log-resume'

const out = (text: string, timestamp: string | null): LogLine => ({ stream: 'stdout', text, timestamp })
const err = (text: string, timestamp: string | null): LogLine => ({ stream: 'stderr', text, timestamp })
const at = (fraction: string) => `2025-11-03T09:00:00.${fraction}Z`

describe('where a followed log resumes', () => {
  it('reads Docker timestamps to the nanosecond, with trailing zeros trimmed or not', () => {
    expect(dockerTimestampNanos('2025-11-03T09:00:00.123456789Z')).toBe(1_762_160_400_123_456_789n)
    expect(dockerTimestampNanos('2025-11-03T09:00:00.1234Z')).toBe(1_762_160_400_123_400_000n)
    expect(dockerTimestampNanos('2025-11-03T09:00:00Z')).toBe(1_762_160_400_000_000_000n)
    expect(dockerTimestampNanos('2025-11-03T10:00:00.5+01:00')).toBe(1_762_160_400_500_000_000n)
    expect(dockerTimestampNanos('yesterday')).toBeNull()
  })

  it('passes every line of an unbroken stream, a stderr line stamped before the stdout line above it too', () => {
    // Docker reads stdout and stderr in two readers: the stamps of the two streams interleave.
    const point = new LogResumePoint()
    expect(point.shownOf([out('out 1', at('200000000')), err('err 1', at('300000000'))])).toHaveLength(2)
    const next = [out('out 2', at('250000000')), err('err 2', at('310000000'))]
    expect(point.shownOf(next)).toEqual(next)
  })

  it('has no point to resume from before a line with a timestamp was shown', () => {
    const point = new LogResumePoint()
    point.shownOf([out('no stamp', null), { stream: 'rampart', text: 'lost', timestamp: at('1') }])
    expect(point.newestShown).toBeNull()
    expect(point.resume()).toBeNull()
  })

  it("resumes at the earlier millisecond of the two streams' last lines, and names the newest line shown", () => {
    const point = new LogResumePoint()
    point.shownOf([out('out 1', at('123456789')), err('err 1', at('123999999')), out('out 2', at('124500000'))])
    point.shownOf([err('err 2', at('124000001'))])
    expect(point.newestShown).toBe(at('124500000'))
    expect(point.resume()).toEqual(new Date(at('124')))
  })

  it('drops, per stream, what the engine sends again, until that stream has a newer line', () => {
    const point = new LogResumePoint()
    point.shownOf([out('out 1', at('100000000')), err('err 1', at('090000000')), out('out 2', at('200000000'))])
    point.shownOf([err('err 2', at('150000000'))])
    point.resume()
    // From the 150th millisecond again: stderr's 150 ms line and stdout's 200 ms line were shown.
    const replay = [
      err('err 2', at('150000000')),
      out('out 2', at('200000000')),
      err('err 3', at('160000000')),
      out('out 3', at('170000000')), // older than stdout's last shown: already shown in another order
      out('out 4', at('210000000'))
    ]
    expect(point.shownOf(replay).map((line) => line.text)).toEqual(['err 3', 'out 4'])
    // Past the replay, nothing is dropped again, even out of order.
    const later = [err('err 4', at('155000000')), out('out 5', at('205000000'))]
    expect(point.shownOf(later)).toEqual(later)
  })

  it('keeps, in a replay, a line without a readable timestamp and Rampart notices', () => {
    const point = new LogResumePoint()
    point.shownOf([out('out 1', at('5'))])
    point.resume()
    const notice: LogLine = { stream: 'rampart', text: 'back', timestamp: at('1') }
    expect(point.shownOf([notice, out('odd', 'yesterday')])).toEqual([notice, out('odd', 'yesterday')])
    expect(point.shownOf([out('out 0', at('1'))])).toHaveLength(1)
  })
})
