import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { flagBucket } from '@main/flags/core/flag-bucket'
import { compileFlag, evaluateFlag } from '@main/flags/core/flag-evaluation'
import type { FlagState } from '@shared/flag-state'
import { customStickinessVectors, userIdVectors } from '@test/fixtures/unleash-vectors'

const USER_ID_VECTORS = [
  ...userIdVectors('03-gradual-rollout-user-id-strategy'),
  ...userIdVectors('10-flexible-rollout-strategy')
]
const CUSTOM_VECTORS = customStickinessVectors('12-custom-stickiness')

function state(rollout: number): FlagState {
  return {
    enabled: true,
    rollout_percentage: rollout,
    whitelist_users: [],
    blacklist_users: [],
    start_date: null,
    end_date: null
  }
}

const AT = Date.parse('2025-10-27T12:00:00Z')
const FLAGS = ['unified_llm_hub', 'checkout_v2', 'Feature.flexibleRollout.10', 'search-rerank']
const PHASES = [0, 10, 25, 50, 100]
const USERS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`)

describe('flagBucket against Unleash client-specification vectors', () => {
  it('finds every userId-sticky case in the fixtures (4 gradual, 4 flexible) and 4 custom-stickiness cases', () => {
    expect(USER_ID_VECTORS).toHaveLength(8)
    expect(CUSTOM_VECTORS).toHaveLength(4)
  })

  it.each(USER_ID_VECTORS)('$description (groupId $groupId, userId $value, rollout $rollout)', (v) => {
    const bucket = flagBucket(v.groupId, v.value)
    expect(bucket <= v.rollout && v.rollout > 0).toBe(v.enabled)
    expect(evaluateFlag(v.groupId, state(v.rollout), v.value, AT).enabled).toBe(v.enabled)
  })

  it.each(CUSTOM_VECTORS)('$description (groupId $groupId, value $value, rollout $rollout)', (v) => {
    expect(flagBucket(v.groupId, v.value) <= v.rollout && v.rollout > 0).toBe(v.enabled)
  })

  // From unleash-client-node's test "normalized values are the same across node, java, and go clients".
  it('gives user 123 in group gr1 bucket 73 and user 999 in group groupX bucket 25', () => {
    expect(flagBucket('gr1', '123')).toBe(73)
    expect(flagBucket('groupX', '999')).toBe(25)
  })
})

describe('flagBucket', () => {
  it('is an integer from 1 to 100 for any flag and user', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), (flag, user) => {
        const bucket = flagBucket(flag, user)
        expect(Number.isInteger(bucket) && bucket >= 1 && bucket <= 100).toBe(true)
      }),
      { numRuns: 1000 }
    )
  })

  // Expected buckets computed with an independent reference implementation over the UTF-8 bytes.
  it.each([
    { user: 'ユーザー123', bucket: 2 },
    { user: '用户-42', bucket: 13 },
    { user: '👩\u200d💻dev', bucket: 26 },
    { user: 'e\u0301lodie', bucket: 62 },
    { user: '\u00e9lodie', bucket: 5 }
  ])('hashes the UTF-8 bytes of non-ASCII user $user', ({ user, bucket }) => {
    expect(flagBucket('unified_llm_hub', user)).toBe(bucket)
  })

  it('uses the user id exactly as given, without trimming or case folding', () => {
    expect(flagBucket('unified_llm_hub', 'alice')).toBe(95)
    expect(flagBucket('unified_llm_hub', ' alice')).toBe(70)
    expect(flagBucket('unified_llm_hub', 'Alice')).toBe(4)
  })

  it('buckets 100,000-character user ids', () => {
    expect(flagBucket('unified_llm_hub', 'x'.repeat(100_000))).toBe(74)
    expect(flagBucket('unified_llm_hub', '用'.repeat(100_000))).toBe(6)
  })
})

describe('rollout phases', () => {
  it.each(FLAGS)('never drops a user of flag %s when the percentage rises through 0, 10, 25, 50, 100', (flag) => {
    const phases = PHASES.map((pct) => compileFlag(flag, state(pct)))
    const dropped: string[] = []
    for (const user of USERS) {
      const served = phases.map((evaluate) => evaluate(user, AT).enabled)
      served.forEach((isIn, i) => {
        if (i > 0 && served[i - 1] && !isIn) dropped.push(`${user} at ${PHASES[i]} %`)
      })
    }
    expect(dropped).toEqual([])
  })

  it('keeps a user who is in at a lower percentage in at every higher one', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (flag, user, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a]
          if (evaluateFlag(flag, state(low), user, AT).enabled) {
            expect(evaluateFlag(flag, state(high), user, AT).enabled).toBe(true)
          }
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('serves nobody at 0 % and everybody at 100 %', () => {
    for (const user of USERS.slice(0, 1000)) {
      expect(evaluateFlag('unified_llm_hub', state(0), user, AT).enabled).toBe(false)
      expect(evaluateFlag('unified_llm_hub', state(100), user, AT).enabled).toBe(true)
    }
  })

  it.each(FLAGS)('puts 25 ± 1.5 % of 10,000 users of flag %s in at 25 %', (flag) => {
    const served = USERS.filter((user) => evaluateFlag(flag, state(25), user, AT).enabled).length
    expect(served).toBeGreaterThanOrEqual(2350)
    expect(served).toBeLessThanOrEqual(2650)
  })
})
