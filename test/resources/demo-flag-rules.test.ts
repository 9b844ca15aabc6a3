import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDateGate, parseInstant } from '@main/flags/core/date-gate'
import { flagBucket } from '@main/flags/core/flag-bucket'
import { evaluateFlag } from '@main/flags/core/flag-evaluation'
import type { FlagState } from '@shared/flag-state'
import * as demoRules from '../../resources/demo/ops-center/flag-rules.js'
import { ALL_ROLLOUT_VECTORS } from '../fixtures/unleash-vectors'

const FLAG = 'unified_llm_hub'

/** 10,000 users: the demo's own ids, then ids with case, white space, non-ASCII, emoji and lone surrogates. */
function tenThousandUsers(): string[] {
  const users: string[] = []
  for (let i = 0; i < 9_000; i += 1) users.push(`user-${String(i).padStart(4, '0')}@example.com`)
  const odd = [
    'Zoë',
    'ユーザー',
    'пользователь',
    'مستخدم',
    '😀',
    'a\u0301',
    '\ud800',
    'x\udfff',
    ' padded ',
    'TAB\t',
    '',
    'ADMIN@EXAMPLE.COM'
  ]
  for (let i = 0; users.length < 10_000; i += 1) users.push(`${odd[i % odd.length]}-${i}`)
  return users
}

function state(overrides: Partial<FlagState>): FlagState {
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

const STATES: Record<string, FlagState> = {
  disabled: state({ enabled: false, rollout_percentage: 100 }),
  'at 0 %': state({ rollout_percentage: 0 }),
  'at 1 %': state({ rollout_percentage: 1 }),
  'at 10 %': state({ rollout_percentage: 10 }),
  'at 25 %': state({ rollout_percentage: 25 }),
  'at 50 %': state({ rollout_percentage: 50 }),
  'at 99 %': state({ rollout_percentage: 99 }),
  'at 100 %': state({ rollout_percentage: 100 }),
  'lists with case and white space': state({
    rollout_percentage: 50,
    whitelist_users: [' User-0001@Example.com ', 'ADMIN@example.com', '', 'zoë-0'],
    blacklist_users: ['user-0002@example.com', '  USER-0001@EXAMPLE.COM', ' ']
  }),
  'seed whitelist at 0 %': state({
    rollout_percentage: 0,
    whitelist_users: ['admin@your-domain.com', 'admin@example.com'],
    start_date: '2025-10-27'
  }),
  'date-only gates': state({ rollout_percentage: 50, start_date: '2025-10-27', end_date: '2025-11-30' }),
  'timestamp gates with offsets and fractions': state({
    rollout_percentage: 75,
    start_date: '2025-10-27T09:30:00.0004+02:00',
    end_date: '2025-11-30T23:59:59.9996-05:30'
  }),
  'two-digit year gates': state({ start_date: '0099-12-31', end_date: '0100-01-01T00:00:00Z' })
}

/** Instants on both sides of every gate above, and far from them. */
const INSTANTS = [
  '2025-10-26T23:59:59.999Z',
  '2025-10-27T00:00:00.000Z',
  '2025-10-27T07:30:00.000Z',
  '2025-10-27T07:30:00.001Z',
  '2025-11-15T12:00:00.000Z',
  '2025-11-30T23:59:59.999Z',
  '2025-12-01T00:00:00.000Z',
  '2025-12-01T05:29:59.999Z',
  '2025-12-01T05:30:00.000Z',
  '0099-12-31T12:00:00.000Z',
  '2030-01-01T00:00:00.000Z'
].map(epochMs)

function epochMs(iso: string): number {
  // Date.parse would read year 0099 as 1999; the core's parser does not.
  const parsed = parseInstant(iso)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.epochMs
}

describe('the demo service flag rules (resources/demo/ops-center/flag-rules.js)', () => {
  const users = tenThousandUsers()

  for (const [name, flagState] of Object.entries(STATES)) {
    it(`give the core's decision, reason and bucket for 10,000 users, ${name}`, () => {
      const compiled = demoRules.compileFlag(FLAG, flagState)
      const mismatches: string[] = []
      for (const at of INSTANTS) {
        for (const user of users) {
          const expected = evaluateFlag(FLAG, flagState, user, at)
          const actual = compiled(user, at)
          if (
            actual.enabled !== expected.enabled ||
            actual.reason !== expected.reason ||
            actual.bucket !== expected.bucket
          ) {
            mismatches.push(
              `${JSON.stringify(user)} at ${new Date(at).toISOString()}: ` +
                `demo ${JSON.stringify(actual)}, core ${JSON.stringify(expected)}`
            )
          }
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([])
    })
  }

  it('treat an absent user (null, undefined, empty) as the core does: in only at 100 %', () => {
    for (const flagState of Object.values(STATES)) {
      for (const at of INSTANTS) {
        for (const user of [null, undefined, '']) {
          expect(demoRules.evaluateFlag(FLAG, flagState, user, at)).toEqual(evaluateFlag(FLAG, flagState, user, at))
        }
      }
    }
  })

  it("pass Unleash's flexible-rollout client-specification vectors", () => {
    for (const vector of ALL_ROLLOUT_VECTORS) {
      const inRollout = vector.rollout > 0 && demoRules.flagBucket(vector.groupId, vector.value) <= vector.rollout
      expect(inRollout, vector.description).toBe(vector.enabled)
    }
  })

  it('bucket any flag and user exactly as the core does', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (flag, user) => {
          expect(demoRules.flagBucket(flag, user)).toBe(flagBucket(flag, user))
        }
      ),
      { numRuns: 2_000 }
    )
  })

  it('read every date gate the core accepts to the same instant, and refuse what it refuses', () => {
    const digits = (min: number, max: number, width: number) =>
      fc.integer({ min, max }).map((n) => String(n).padStart(width, '0'))
    const gate = fc.oneof(
      fc.tuple(digits(0, 2400, 4), digits(0, 13, 2), digits(0, 32, 2)).map(([y, m, d]) => `${y}-${m}-${d}`),
      fc
        .tuple(
          digits(0, 2400, 4),
          digits(1, 12, 2),
          digits(1, 31, 2),
          digits(0, 24, 2),
          digits(0, 60, 2),
          digits(0, 60, 2),
          fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,7}$/)),
          fc.oneof(
            fc.constant('Z'),
            fc.tuple(fc.constantFrom('+', '-'), digits(0, 24, 2), digits(0, 60, 2)).map(([s, h, m]) => `${s}${h}:${m}`)
          )
        )
        .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f}${z}`),
      fc.string()
    )
    fc.assert(
      fc.property(gate, fc.constantFrom('start' as const, 'end' as const), (text, edge) => {
        const core = parseDateGate(text, edge)
        const demo = demoRules.dateGateInstant(text, edge)
        expect(demo).toBe(core.ok ? core.epochMs : undefined)
      }),
      { numRuns: 5_000 }
    )
  })

  it('agree with the core on random states, users and instants', () => {
    const list = fc.array(
      fc.oneof(fc.constantFrom('user-0001@example.com', ' USER-0002@EXAMPLE.COM', 'Zoë', ''), fc.string()),
      { maxLength: 4 }
    )
    const gate = fc.oneof(
      fc.constant(null),
      fc.constantFrom('2025-10-27', '2025-11-30', '2025-10-27T09:30:00+02:00', '2025-11-30T23:59:59.5Z')
    )
    const flagState = fc.record({
      enabled: fc.boolean(),
      rollout_percentage: fc.integer({ min: 0, max: 100 }),
      whitelist_users: list,
      blacklist_users: list,
      start_date: gate,
      end_date: gate
    })
    const user = fc.oneof(
      fc.constant(null),
      fc.constantFrom('user-0001@example.com', 'user-0002@example.com', 'Zoë'),
      fc.string({ unit: 'binary' })
    )
    const at = fc.integer({ min: Date.UTC(2025, 9, 20), max: Date.UTC(2025, 11, 10) })
    fc.assert(
      fc.property(flagState, user, at, (s, u, t) => {
        expect(demoRules.evaluateFlag(FLAG, s, u, t)).toEqual(evaluateFlag(FLAG, s, u, t))
      }),
      { numRuns: 3_000 }
    )
  })
})
