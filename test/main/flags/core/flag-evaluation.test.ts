import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { flagBucket } from '@main/flags/core/flag-bucket'
import { compileFlag, evaluateFlag } from '@main/flags/core/flag-evaluation'
import type { FlagState } from '@shared/flag-state'
import { thrownBy } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'
const NOW = Date.parse('2025-10-27T12:00:00.000Z')
const PAST = '2025-10-01'
const FUTURE = '2025-11-30'

function flagState(overrides: Partial<FlagState> = {}): FlagState {
  return {
    enabled: true,
    rollout_percentage: 25,
    whitelist_users: [],
    blacklist_users: [],
    start_date: null,
    end_date: null,
    ...overrides
  }
}

/** The first generated user id whose bucket for FLAG satisfies `wanted`, found by search, not hard-coded. */
function userWhoseBucket(wanted: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) {
    const user = `user-${i}`
    if (wanted(flagBucket(FLAG, user))) return user
  }
}

const LOW = userWhoseBucket((b) => b <= 10) // in from the 10 % phase on
const HIGH = userWhoseBucket((b) => b > 50) // out until 100 %

describe('evaluateFlag: each rule on its own', () => {
  it('serves nobody when the flag is disabled', () => {
    expect(evaluateFlag(FLAG, flagState({ enabled: false }), LOW, NOW)).toMatchObject({
      enabled: false,
      reason: 'disabled'
    })
  })

  it('refuses a blacklisted user', () => {
    const state = flagState({ rollout_percentage: 100, blacklist_users: [LOW] })
    expect(evaluateFlag(FLAG, state, LOW, NOW)).toMatchObject({ enabled: false, reason: 'blacklisted' })
  })

  it('serves a whitelisted user outside the rollout', () => {
    const state = flagState({ rollout_percentage: 10, whitelist_users: [HIGH] })
    expect(evaluateFlag(FLAG, state, HIGH, NOW)).toMatchObject({ enabled: true, reason: 'whitelisted' })
  })

  it('serves nobody before the start date', () => {
    const state = flagState({ rollout_percentage: 100, start_date: FUTURE })
    expect(evaluateFlag(FLAG, state, LOW, NOW)).toMatchObject({ enabled: false, reason: 'before_start' })
  })

  it('serves nobody after the end date', () => {
    const state = flagState({ rollout_percentage: 100, end_date: PAST })
    expect(evaluateFlag(FLAG, state, LOW, NOW)).toMatchObject({ enabled: false, reason: 'after_end' })
  })

  it('serves an absent user only at 100 %, with no bucket', () => {
    for (const pct of [0, 10, 25, 50, 99]) {
      expect(evaluateFlag(FLAG, flagState({ rollout_percentage: pct }), undefined, NOW)).toEqual({
        enabled: false,
        reason: 'outside_rollout',
        bucket: null
      })
    }
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: 100 }), null, NOW)).toEqual({
      enabled: true,
      reason: 'in_rollout',
      bucket: null
    })
  })

  it('treats an empty user id as absent', () => {
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: 100 }), '', NOW)).toEqual({
      enabled: true,
      reason: 'in_rollout',
      bucket: null
    })
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: 99 }), '', NOW).reason).toBe('outside_rollout')
  })

  it('serves a user whose bucket is at or below the percentage', () => {
    const bucket = flagBucket(FLAG, HIGH)
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: bucket }), HIGH, NOW)).toEqual({
      enabled: true,
      reason: 'in_rollout',
      bucket
    })
  })

  it('refuses a user whose bucket is one above the percentage', () => {
    const bucket = flagBucket(FLAG, HIGH)
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: bucket - 1 }), HIGH, NOW)).toEqual({
      enabled: false,
      reason: 'outside_rollout',
      bucket
    })
  })

  it('serves no user at 0 %, whatever the bucket', () => {
    expect(evaluateFlag(FLAG, flagState({ rollout_percentage: 0 }), LOW, NOW).reason).toBe('outside_rollout')
  })
})

describe('evaluateFlag: which rule wins when two apply', () => {
  const cases: Array<{
    name: string
    state: Partial<FlagState>
    user: string | null
    reason: string
    enabled: boolean
  }> = [
    {
      name: 'disabled wins over blacklisted',
      state: { enabled: false, blacklist_users: [LOW] },
      user: LOW,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'disabled wins over whitelisted',
      state: { enabled: false, whitelist_users: [LOW] },
      user: LOW,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'disabled wins over before_start',
      state: { enabled: false, start_date: FUTURE },
      user: LOW,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'disabled wins over after_end',
      state: { enabled: false, end_date: PAST },
      user: LOW,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'disabled wins over an absent user at 100 %',
      state: { enabled: false, rollout_percentage: 100 },
      user: null,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'disabled wins over in_rollout',
      state: { enabled: false, rollout_percentage: 100 },
      user: LOW,
      reason: 'disabled',
      enabled: false
    },
    {
      name: 'blacklisted wins over whitelisted',
      state: { blacklist_users: [LOW], whitelist_users: [LOW] },
      user: LOW,
      reason: 'blacklisted',
      enabled: false
    },
    {
      name: 'blacklisted wins over before_start',
      state: { blacklist_users: [LOW], start_date: FUTURE },
      user: LOW,
      reason: 'blacklisted',
      enabled: false
    },
    {
      name: 'blacklisted wins over after_end',
      state: { blacklist_users: [LOW], end_date: PAST },
      user: LOW,
      reason: 'blacklisted',
      enabled: false
    },
    {
      name: 'blacklisted wins over in_rollout',
      state: { blacklist_users: [LOW], rollout_percentage: 100 },
      user: LOW,
      reason: 'blacklisted',
      enabled: false
    },
    {
      name: 'whitelisted wins over before_start',
      state: { whitelist_users: [HIGH], start_date: FUTURE },
      user: HIGH,
      reason: 'whitelisted',
      enabled: true
    },
    {
      name: 'whitelisted wins over after_end',
      state: { whitelist_users: [HIGH], end_date: PAST },
      user: HIGH,
      reason: 'whitelisted',
      enabled: true
    },
    {
      name: 'whitelisted wins over outside_rollout at 0 %',
      state: { whitelist_users: [HIGH], rollout_percentage: 0 },
      user: HIGH,
      reason: 'whitelisted',
      enabled: true
    },
    {
      name: 'whitelisted wins over in_rollout',
      state: { whitelist_users: [LOW], rollout_percentage: 100 },
      user: LOW,
      reason: 'whitelisted',
      enabled: true
    },
    {
      name: 'before_start wins over after_end when start is after end',
      state: { start_date: FUTURE, end_date: PAST },
      user: LOW,
      reason: 'before_start',
      enabled: false
    },
    {
      name: 'before_start wins over an absent user at 100 %',
      state: { start_date: FUTURE, rollout_percentage: 100 },
      user: null,
      reason: 'before_start',
      enabled: false
    },
    {
      name: 'before_start wins over in_rollout',
      state: { start_date: FUTURE, rollout_percentage: 100 },
      user: LOW,
      reason: 'before_start',
      enabled: false
    },
    {
      name: 'after_end wins over an absent user at 100 %',
      state: { end_date: PAST, rollout_percentage: 100 },
      user: null,
      reason: 'after_end',
      enabled: false
    },
    {
      name: 'after_end wins over in_rollout',
      state: { end_date: PAST, rollout_percentage: 100 },
      user: LOW,
      reason: 'after_end',
      enabled: false
    },
    {
      name: 'an absent user at 50 % is outside even though no bucket excludes them',
      state: { rollout_percentage: 50 },
      user: null,
      reason: 'outside_rollout',
      enabled: false
    }
  ]

  it.each(cases)('$name', ({ state, user, reason, enabled }) => {
    expect(evaluateFlag(FLAG, flagState(state), user, NOW)).toMatchObject({ reason, enabled })
  })
})

describe('evaluateFlag: date gates at the edges', () => {
  const dayStart = Date.parse('2025-10-27T00:00:00.000Z')
  const dayEnd = Date.parse('2025-10-27T23:59:59.999Z')
  const open = { rollout_percentage: 100 }

  it('serves from 00:00:00.000Z of a date-only start day', () => {
    expect(evaluateFlag(FLAG, flagState({ ...open, start_date: '2025-10-27' }), LOW, dayStart).reason).toBe(
      'in_rollout'
    )
  })

  it('does not serve 1 ms before a date-only start day', () => {
    expect(evaluateFlag(FLAG, flagState({ ...open, start_date: '2025-10-27' }), LOW, dayStart - 1).reason).toBe(
      'before_start'
    )
  })

  it('serves until 23:59:59.999Z of a date-only end day', () => {
    expect(evaluateFlag(FLAG, flagState({ ...open, end_date: '2025-10-27' }), LOW, dayEnd).reason).toBe('in_rollout')
  })

  it('stops serving 1 ms after a date-only end day', () => {
    expect(evaluateFlag(FLAG, flagState({ ...open, end_date: '2025-10-27' }), LOW, dayEnd + 1).reason).toBe('after_end')
  })

  it('serves a one-day window (start and end on the same date) for that whole UTC day only', () => {
    const state = flagState({ ...open, start_date: '2025-10-27', end_date: '2025-10-27' })
    const evaluate = compileFlag(FLAG, state)
    expect([dayStart - 1, dayStart, dayEnd, dayEnd + 1].map((t) => evaluate(LOW, t).reason)).toEqual([
      'before_start',
      'in_rollout',
      'in_rollout',
      'after_end'
    ])
  })

  it('opens a +02:00 start at the matching UTC instant, 22:00Z the day before', () => {
    const evaluate = compileFlag(FLAG, flagState({ ...open, start_date: '2025-10-27T00:00:00+02:00' }))
    const opens = Date.parse('2025-10-26T22:00:00.000Z')
    expect(evaluate(LOW, opens - 1).reason).toBe('before_start')
    expect(evaluate(LOW, opens).reason).toBe('in_rollout')
  })

  it('closes a +02:00 end exactly at its instant, including that instant', () => {
    const evaluate = compileFlag(FLAG, flagState({ ...open, end_date: '2025-10-27T23:59:59.999+02:00' }))
    const closes = Date.parse('2025-10-27T21:59:59.999Z')
    expect(evaluate(LOW, closes).reason).toBe('in_rollout')
    expect(evaluate(LOW, closes + 1).reason).toBe('after_end')
  })

  it('takes a Z timestamp start as given', () => {
    const evaluate = compileFlag(FLAG, flagState({ ...open, start_date: '2025-10-27T09:30:00Z' }))
    expect(evaluate(LOW, Date.parse('2025-10-27T09:29:59.999Z')).reason).toBe('before_start')
    expect(evaluate(LOW, Date.parse('2025-10-27T09:30:00.000Z')).reason).toBe('in_rollout')
  })

  it('ignores empty and null gates', () => {
    const state = flagState({ ...open, start_date: '', end_date: null })
    expect(evaluateFlag(FLAG, state, LOW, 0).reason).toBe('in_rollout')
  })
})

describe('evaluateFlag: list matching', () => {
  it('matches a whitelist entry regardless of surrounding white space and case', () => {
    const state = flagState({ rollout_percentage: 0, whitelist_users: ['  Admin@Example.COM\t'] })
    expect(evaluateFlag(FLAG, state, 'admin@example.com', NOW).reason).toBe('whitelisted')
    expect(evaluateFlag(FLAG, state, ' ADMIN@example.com ', NOW).reason).toBe('whitelisted')
  })

  it('matches a blacklist entry regardless of surrounding white space and case', () => {
    const state = flagState({ rollout_percentage: 100, blacklist_users: ['mallory@example.com'] })
    expect(evaluateFlag(FLAG, state, ' Mallory@Example.com\n', NOW).reason).toBe('blacklisted')
  })

  it('matches non-ASCII ids case-insensitively', () => {
    const state = flagState({ rollout_percentage: 0, whitelist_users: ['ÉLODIE', '用户-42', '👩\u200d💻dev'] })
    expect(evaluateFlag(FLAG, state, 'élodie', NOW).reason).toBe('whitelisted')
    expect(evaluateFlag(FLAG, state, '用户-42', NOW).reason).toBe('whitelisted')
    expect(evaluateFlag(FLAG, state, '👩\u200d💻DEV', NOW).reason).toBe('whitelisted')
  })

  it('does not match inner white space or a different user', () => {
    const state = flagState({ rollout_percentage: 0, whitelist_users: ['admin@example.com'] })
    expect(evaluateFlag(FLAG, state, 'admin @example.com', NOW).reason).toBe('outside_rollout')
    expect(evaluateFlag(FLAG, state, 'admin@example.co', NOW).reason).toBe('outside_rollout')
  })

  it('does not let a blank list entry match a blank user id', () => {
    const state = flagState({ rollout_percentage: 0, whitelist_users: ['', '   '] })
    expect(evaluateFlag(FLAG, state, '  ', NOW).reason).toBe('outside_rollout')
  })

  it('hashes the user id as given even when the list match ignored its case and spaces', () => {
    const state = flagState({ whitelist_users: ['alice'] })
    expect(evaluateFlag(FLAG, state, ' Alice ', NOW)).toEqual({
      enabled: true,
      reason: 'whitelisted',
      bucket: flagBucket(FLAG, ' Alice ')
    })
  })
})

describe('evaluateFlag: the reported bucket', () => {
  it('reports the user bucket even when an earlier rule decides', () => {
    const bucket = flagBucket(FLAG, LOW)
    const states: Array<Partial<FlagState>> = [
      { enabled: false },
      { blacklist_users: [LOW] },
      { whitelist_users: [LOW] },
      { start_date: FUTURE },
      { end_date: PAST }
    ]
    for (const state of states) expect(evaluateFlag(FLAG, flagState(state), LOW, NOW).bucket).toBe(bucket)
  })

  it('reports no bucket when the user is absent, whatever rule decides', () => {
    for (const state of [{ enabled: false }, { start_date: FUTURE }, { rollout_percentage: 100 }]) {
      expect(evaluateFlag(FLAG, flagState(state), undefined, NOW).bucket).toBeNull()
    }
  })

  it('buckets by flag name, so the same user can land differently in two flags', () => {
    let user = 'user-0'
    for (let i = 1; flagBucket('checkout_v2', user) === flagBucket(FLAG, user); i++) user = `user-${i}`
    const checkout = evaluateFlag('checkout_v2', flagState(), user, NOW).bucket
    const hub = evaluateFlag(FLAG, flagState(), user, NOW).bucket
    expect(checkout).toBe(flagBucket('checkout_v2', user))
    expect(hub).toBe(flagBucket(FLAG, user))
    expect(checkout).not.toBe(hub)
  })
})

describe('evaluateFlag: unusual user ids', () => {
  it.each([
    ['emoji', '😀🚀👩\u200d💻'],
    ['CJK', '用户名-测试'],
    ['combining characters', 'e\u0301\u0301\u0327'],
    ['100,000 ASCII characters', 'x'.repeat(100_000)],
    ['100,000 CJK characters', '用'.repeat(100_000)]
  ])('evaluates a user id of %s with a bucket from 1 to 100', (_kind, user) => {
    const result = evaluateFlag(FLAG, flagState({ rollout_percentage: 50 }), user, NOW)
    expect(result.bucket).toBe(flagBucket(FLAG, user))
    expect(result.bucket).toBeGreaterThanOrEqual(1)
    expect(result.bucket).toBeLessThanOrEqual(100)
    expect(result.reason).toBe(result.bucket! <= 50 ? 'in_rollout' : 'outside_rollout')
  })

  it('whitelists a 100,000-character user id', () => {
    const user = 'ü'.repeat(100_000)
    const state = flagState({ rollout_percentage: 0, whitelist_users: [user.toUpperCase()] })
    expect(evaluateFlag(FLAG, state, user, NOW).reason).toBe('whitelisted')
  })
})

describe('evaluateFlag: malformed state', () => {
  it('refuses a malformed start_date with bad_input naming the flag, field and value', () => {
    const error = thrownBy(() => evaluateFlag(FLAG, flagState({ start_date: '2025-02-30' }), LOW, NOW))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(FLAG)
    expect(error.message).toContain('start_date')
    expect(error.message).toContain('2025-02-30')
    expect(error.message).toContain('February 2025 has 28 days')
  })

  it('refuses a malformed end_date with bad_input naming the field', () => {
    const error = thrownBy(() => evaluateFlag(FLAG, flagState({ end_date: 'next week' }), LOW, NOW))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('end_date')
    expect(error.message).toContain('"next week"')
  })

  it('refuses a malformed date when compiling, before any user is evaluated', () => {
    expect(thrownBy(() => compileFlag(FLAG, flagState({ end_date: '2025-10-27T10:00' }))).code).toBe('bad_input')
  })

  it('refuses a disabled flag with a malformed date too, so a bad config is never silent', () => {
    expect(thrownBy(() => compileFlag(FLAG, flagState({ enabled: false, start_date: '2025-13-01' }))).code).toBe(
      'bad_input'
    )
  })

  it.each([101, -1, 12.5, Number.NaN])('refuses rollout_percentage %s with bad_input naming the field', (pct) => {
    const error = thrownBy(() => compileFlag(FLAG, flagState({ rollout_percentage: pct })))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('rollout_percentage')
  })

  it('refuses an instant that is not a number', () => {
    expect(thrownBy(() => evaluateFlag(FLAG, flagState(), LOW, Number.NaN)).code).toBe('bad_input')
  })
})

describe('compileFlag', () => {
  it('gives the same result as evaluateFlag for any user and instant', () => {
    const state = flagState({
      rollout_percentage: 30,
      whitelist_users: ['Alice', ' bob '],
      blacklist_users: ['carol'],
      start_date: '2025-10-01',
      end_date: '2025-10-31T18:00:00+02:00'
    })
    const evaluate = compileFlag(FLAG, state)
    const user = fc.oneof(fc.constantFrom('alice', 'BOB', 'carol', '', null, undefined), fc.string({ unit: 'binary' }))
    const at = fc.integer({ min: Date.parse('2025-09-25T00:00:00Z'), max: Date.parse('2025-11-05T00:00:00Z') })
    fc.assert(
      fc.property(user, at, (u, t) => {
        expect(evaluate(u, t)).toEqual(evaluateFlag(FLAG, state, u, t))
      }),
      { numRuns: 2000 }
    )
  })

  it('is not affected by later changes to the state it was compiled from', () => {
    const state = flagState({ rollout_percentage: 0, whitelist_users: ['alice'] })
    const evaluate = compileFlag(FLAG, state)
    state.whitelist_users.push('bob')
    state.enabled = false
    expect(evaluate('alice', NOW).reason).toBe('whitelisted')
    expect(evaluate('bob', NOW).reason).toBe('outside_rollout')
  })
})
