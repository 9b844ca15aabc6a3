import { describe, expect, it } from 'vitest'
import type { GuardWindow } from '@main/guards/core/guard-engine'
import { formatGuardSummaryLine, formatGuardWindowLine } from '@main/guards/core/guard-replay-format'
import { GuardReplayTally } from '@main/guards/core/guard-replay-summary'

const START = Date.UTC(2025, 10, 1, 12, 0, 0)

function window(decision: GuardWindow['decision'], offset = 0): GuardWindow {
  return {
    windowStartMs: START + offset * 60_000,
    windowSeconds: 60,
    treatment: { requests: 120, failures: 12, errorRate: 0.1, p95Ms: 480 },
    control: { requests: 0, failures: 0, errorRate: null, p95Ms: null },
    unattributed: 3,
    decision,
    reasons: ['treatment error rate 0.1 > 0.05'],
    breachStreak: 1
  }
}

describe('guards replay JSON lines', () => {
  it('writes a window with the contract fields in the contract order and nothing else', () => {
    expect(formatGuardWindowLine(window('breach'))).toBe(
      '{"window_start":"2025-11-01T12:00:00.000Z",' +
        '"treatment":{"requests":120,"failures":12,"error_rate":0.1,"p95_ms":480},' +
        '"control":{"requests":0,"failures":0,"error_rate":null,"p95_ms":null},' +
        '"decision":"breach","reasons":["treatment error rate 0.1 > 0.05"]}'
    )
  })

  it('writes the summary with the contract fields in the contract order', () => {
    const tally = new GuardReplayTally()
    tally.add(window('breach', 0))
    tally.add(window('trip', 1))
    tally.add(window('trip', 2))
    expect(formatGuardSummaryLine(tally.summary(7))).toBe(
      '{"verdict":"trip","first_trip_window":"2025-11-01T12:01:00.000Z","windows":3,"unparsed_lines":7}'
    )
  })
})

describe('guards replay verdict', () => {
  function verdict(decisions: Array<GuardWindow['decision']>): string {
    const tally = new GuardReplayTally()
    decisions.forEach((decision, index) => tally.add(window(decision, index)))
    return tally.summary(0).verdict
  }

  it('is trip when any window tripped', () => {
    expect(verdict(['pass', 'breach', 'trip', 'pass'])).toBe('trip')
  })

  it('is pass when no window tripped but one had enough data, even a breach', () => {
    expect(verdict(['hold', 'breach', 'hold'])).toBe('pass')
    expect(verdict(['hold', 'pass'])).toBe('pass')
  })

  it('is hold when no window had enough data, or there were none', () => {
    expect(verdict(['hold', 'hold'])).toBe('hold')
    expect(verdict([])).toBe('hold')
  })
})
