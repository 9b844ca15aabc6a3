import { describe, expect, it } from 'vitest'
import { GUARD_THRESHOLD_KEYS, GuardSettingsSchema, guardThresholdsOf } from '@shared/schemas/guard-settings'

describe('guard settings', () => {
  it('fills the defaults of an empty guards block, lateness left to one window', () => {
    expect(GuardSettingsSchema.parse({})).toEqual({
      window_seconds: 60,
      min_requests: 100,
      max_error_rate: 0.05,
      max_latency_degradation: 0.5,
      breach_windows: 2,
      action: 'rollback'
    })
  })

  it('names the five thresholds in order, and picks just those', () => {
    expect(GUARD_THRESHOLD_KEYS).toEqual([
      'window_seconds',
      'min_requests',
      'max_error_rate',
      'max_latency_degradation',
      'breach_windows'
    ])
    const settings = { ...GuardSettingsSchema.parse({}), lateness_seconds: 30 }
    expect(Object.keys(guardThresholdsOf(settings))).toEqual(GUARD_THRESHOLD_KEYS)
  })
})
