import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EnvFileDocument } from '@main/flags/core/env-file-document'
import {
  SEED_FLAG_ENV_MAPPING,
  decodeFlagState,
  defaultFlagEnvMapping,
  encodeFlagPatch,
  readFlagState,
  readFlagStateForKill,
  resolveFlagEnvMapping,
  type FlagEnvMapping
} from '@main/flags/core/flag-env-mapping'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import { SEED_ENV_DEVELOPMENT_TEXT } from '@test/fixtures/env-file-text'

const FILE = '/srv/ops-center/.env'

function decode(text: string, mapping: FlagEnvMapping = SEED_FLAG_ENV_MAPPING): FlagState {
  return decodeFlagState(EnvFileDocument.parse(text, FILE), mapping)
}

function decodeError(text: string): RampartError {
  try {
    decode(text)
  } catch (error) {
    if (error instanceof RampartError) return error
    throw error
  }
  throw new Error('expected the values to be refused')
}

describe('mappings', () => {
  it("names the seed flag's six variables as the seed does", () => {
    expect(SEED_FLAG_ENV_MAPPING).toEqual({
      enabled: 'FEATURE_UNIFIED_LLM_HUB',
      rollout_percentage: 'FEATURE_LLM_HUB_ROLLOUT',
      whitelist_users: 'FEATURE_LLM_HUB_WHITELIST',
      blacklist_users: 'FEATURE_LLM_HUB_BLACKLIST',
      start_date: 'FEATURE_LLM_HUB_START_DATE',
      end_date: 'FEATURE_LLM_HUB_END_DATE'
    })
  })

  it('maps another flag to FEATURE_<FLAG> and FEATURE_<FLAG>_<FIELD>', () => {
    expect(defaultFlagEnvMapping('new_checkout')).toEqual({
      enabled: 'FEATURE_NEW_CHECKOUT',
      rollout_percentage: 'FEATURE_NEW_CHECKOUT_ROLLOUT',
      whitelist_users: 'FEATURE_NEW_CHECKOUT_WHITELIST',
      blacklist_users: 'FEATURE_NEW_CHECKOUT_BLACKLIST',
      start_date: 'FEATURE_NEW_CHECKOUT_START_DATE',
      end_date: 'FEATURE_NEW_CHECKOUT_END_DATE'
    })
  })

  it('turns characters a shell variable cannot hold into underscores', () => {
    expect(defaultFlagEnvMapping('dark-mode.v2').enabled).toBe('FEATURE_DARK_MODE_V2')
  })

  it("uses the seed's own names as the default for the seed's flag", () => {
    expect(defaultFlagEnvMapping('unified_llm_hub')).toEqual(SEED_FLAG_ENV_MAPPING)
  })

  it("prefers the workspace's mapping and falls back to the default for flags it does not list", () => {
    const custom = { ...defaultFlagEnvMapping('other'), enabled: 'OTHER_ON' }
    expect(resolveFlagEnvMapping('beta', { beta: custom })).toBe(custom)
    expect(resolveFlagEnvMapping('gamma', { beta: custom })).toEqual(defaultFlagEnvMapping('gamma'))
    expect(resolveFlagEnvMapping('constructor', {}).enabled).toBe('FEATURE_CONSTRUCTOR')
  })
})

describe('decoding a flag state from env values', () => {
  it("decodes the seed's .env.development to the state its README describes", () => {
    expect(decode(SEED_ENV_DEVELOPMENT_TEXT)).toEqual({
      enabled: true,
      rollout_percentage: 0,
      whitelist_users: ['admin@your-domain.com', 'admin@example.com'],
      blacklist_users: [],
      start_date: '2025-10-27',
      end_date: null
    })
  })

  it('gives every field its default when no variable is set', () => {
    expect(decode('OTHER=1\n')).toEqual({
      enabled: false,
      rollout_percentage: 0,
      whitelist_users: [],
      blacklist_users: [],
      start_date: null,
      end_date: null
    })
  })

  it('reads an empty value as the default, like a missing one', () => {
    const text = 'FEATURE_UNIFIED_LLM_HUB=\nFEATURE_LLM_HUB_ROLLOUT=""\nFEATURE_LLM_HUB_START_DATE=\n'
    expect(decode(text)).toMatchObject({ enabled: false, rollout_percentage: 0, start_date: null })
  })

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['Yes', true],
    ['on', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
    ['off', false]
  ])('reads enabled=%s as %s', (word, expected) => {
    expect(decode(`FEATURE_UNIFIED_LLM_HUB=${word}\n`).enabled).toBe(expected)
  })

  it('refuses an enabled value that is not a boolean word, naming file, line and variable', () => {
    expect(decodeError('A=1\nFEATURE_UNIFIED_LLM_HUB=maybe\n').message).toBe(
      `FEATURE_UNIFIED_LLM_HUB=maybe in ${FILE} line 2 is not a boolean (true/false, 1/0, yes/no, on/off)`
    )
  })

  it.each(['0', '10', '25', '50', '100'])('reads rollout %s', (value) => {
    expect(decode(`FEATURE_LLM_HUB_ROLLOUT=${value}\n`).rollout_percentage).toBe(Number(value))
  })

  it.each(['abc', '101', '-5', '12.5', '1e2', '0x10'])(
    'refuses rollout %s, naming file, line and variable',
    (value) => {
      const error = decodeError(`# flags\nFEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=${value}\n`)
      expect(error.code).toBe('bad_input')
      expect(error.message).toBe(
        `FEATURE_LLM_HUB_ROLLOUT=${value} in ${FILE} line 3 is not a percentage (a whole number 0–100)`
      )
      expect(error.detail).toEqual([
        expect.objectContaining({ file: FILE, line: 3, variable: 'FEATURE_LLM_HUB_ROLLOUT', value })
      ])
    }
  )

  it.each(['2025-13-01', '2025-02-30', '27/10/2025', '2025-10-27T09:30', 'tomorrow'])(
    'refuses the malformed date %s, naming file, line and variable',
    (value) => {
      const error = decodeError(`FEATURE_LLM_HUB_START_DATE=${value}\n`)
      expect(error.message).toMatch(
        new RegExp(
          `^FEATURE_LLM_HUB_START_DATE=${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} in ${FILE} line 1 ` +
            'is not a (date gate|real date|real timestamp): '
        )
      )
    }
  )

  it('accepts a full ISO 8601 timestamp with a zone as a date gate', () => {
    expect(decode('FEATURE_LLM_HUB_END_DATE=2025-12-31T18:00:00+01:00\n').end_date).toBe('2025-12-31T18:00:00+01:00')
  })

  it('trims list entries and drops empty ones', () => {
    expect(decode('FEATURE_LLM_HUB_BLACKLIST= a@x.com , ,b@x.com,\n').blacklist_users).toEqual(['a@x.com', 'b@x.com'])
  })

  it('reports every bad variable at once, in file order', () => {
    const error = decodeError(
      'FEATURE_LLM_HUB_ROLLOUT=101\nFEATURE_UNIFIED_LLM_HUB=yep\nFEATURE_LLM_HUB_END_DATE=soon\n'
    )
    expect((error.detail as unknown[]).map((problem) => (problem as { line: number }).line)).toEqual([1, 2, 3])
    expect(error.message).toMatch(
      /^FEATURE_LLM_HUB_ROLLOUT=101 .*; FEATURE_UNIFIED_LLM_HUB=yep .*; FEATURE_LLM_HUB_END_DATE=soon /
    )
  })
})

describe('encoding a patch as env values', () => {
  it('writes booleans as true/false, lists joined with commas, a null date as empty', () => {
    expect(
      encodeFlagPatch(
        {
          enabled: false,
          rollout_percentage: 25,
          whitelist_users: ['admin@example.com', 'ops@example.com'],
          blacklist_users: [],
          start_date: '2025-10-27',
          end_date: null
        },
        SEED_FLAG_ENV_MAPPING
      )
    ).toEqual({
      FEATURE_UNIFIED_LLM_HUB: 'false',
      FEATURE_LLM_HUB_ROLLOUT: '25',
      FEATURE_LLM_HUB_WHITELIST: 'admin@example.com,ops@example.com',
      FEATURE_LLM_HUB_BLACKLIST: '',
      FEATURE_LLM_HUB_START_DATE: '2025-10-27',
      FEATURE_LLM_HUB_END_DATE: ''
    })
  })

  it('encodes only the fields the patch holds', () => {
    expect(encodeFlagPatch({ enabled: true }, SEED_FLAG_ENV_MAPPING)).toEqual({ FEATURE_UNIFIED_LLM_HUB: 'true' })
  })

  it.each([
    [{ rollout_percentage: 101 }, /^rollout_percentage 101 is not a percentage/],
    [{ rollout_percentage: 12.5 }, /^rollout_percentage 12.5 is not a percentage/],
    [{ rollout_percentage: -5 }, /^rollout_percentage -5 is not a percentage/],
    [{ start_date: '2025-02-30' }, /^start_date "2025-02-30" is not a real date: day 30 does not exist/],
    [{ whitelist_users: ['a@x.com,b@x.com'] }, /^whitelist_users .* hold a comma/],
    [{ blacklist_users: [' a@x.com'] }, /^blacklist_users .* white space/],
    [{ enabled: 'yes' as unknown as boolean }, /^enabled "yes" must be true or false/],
    [{ colour: 'red' } as Partial<FlagState>, /^"colour" is not a flag field/]
  ])('refuses %j, naming the field', (patch, message) => {
    expect(() => encodeFlagPatch(patch, SEED_FLAG_ENV_MAPPING)).toThrow(message)
  })

  it('decodes what it encoded, for any valid state', () => {
    const user = fc.stringMatching(/^[a-z0-9._%+-]{1,8}@[a-z]{1,6}\.com$/)
    const date = fc.constantFrom(
      null,
      '2025-10-27',
      '2024-02-29',
      '2025-10-27T09:30:00Z',
      '2025-10-27T09:30:00.5-04:30'
    )
    const state = fc.record<FlagState>({
      enabled: fc.boolean(),
      rollout_percentage: fc.integer({ min: 0, max: 100 }),
      whitelist_users: fc.array(user, { maxLength: 4 }),
      blacklist_users: fc.array(user, { maxLength: 4 }),
      start_date: date,
      end_date: date
    })
    fc.assert(
      fc.property(state, (wanted) => {
        const text = EnvFileDocument.parse('', FILE).setValues(encodeFlagPatch(wanted, SEED_FLAG_ENV_MAPPING))
        expect(decode(text)).toEqual(wanted)
      })
    )
  })
})

describe('lenient reads', () => {
  const text = [
    'FEATURE_UNIFIED_LLM_HUB=true',
    'FEATURE_LLM_HUB_ROLLOUT=25%',
    'FEATURE_LLM_HUB_WHITELIST=a@x.com',
    'FEATURE_LLM_HUB_END_DATE=2025-02-30',
    ''
  ].join('\n')

  it('readFlagState gives every readable field, defaults for the rest, and each problem by line', () => {
    const reading = readFlagState(EnvFileDocument.parse(text, FILE), SEED_FLAG_ENV_MAPPING)
    expect(reading.state).toEqual({
      enabled: true,
      rollout_percentage: 0,
      whitelist_users: ['a@x.com'],
      blacklist_users: [],
      start_date: null,
      end_date: null
    })
    expect(reading.problems.map((problem) => [problem.line, problem.variable, problem.value])).toEqual([
      [2, 'FEATURE_LLM_HUB_ROLLOUT', '25%'],
      [4, 'FEATURE_LLM_HUB_END_DATE', '2025-02-30']
    ])
    // The strict read refuses the same text with the same problems, in one message.
    expect(decodeError(text).message).toBe(
      `FEATURE_LLM_HUB_ROLLOUT=25% in ${FILE} line 2 ${reading.problems[0]!.problem}; ` +
        `FEATURE_LLM_HUB_END_DATE=2025-02-30 in ${FILE} line 4 ${reading.problems[1]!.problem}`
    )
  })

  it('readFlagStateForKill takes an unreadable enabled value for enabled, and leaves a readable one as it is', () => {
    const unreadable = readFlagStateForKill(
      EnvFileDocument.parse('FEATURE_UNIFIED_LLM_HUB=maybe\n', FILE),
      SEED_FLAG_ENV_MAPPING
    )
    expect(unreadable.state.enabled).toBe(true)
    expect(unreadable.problems.map((problem) => problem.variable)).toEqual(['FEATURE_UNIFIED_LLM_HUB'])
    for (const [value, enabled] of [
      ['off', false],
      ['yes', true],
      ['', false]
    ] as const) {
      const reading = readFlagStateForKill(
        EnvFileDocument.parse(`FEATURE_UNIFIED_LLM_HUB=${value}\nFEATURE_LLM_HUB_ROLLOUT=abc\n`, FILE),
        SEED_FLAG_ENV_MAPPING
      )
      expect(reading.state.enabled).toBe(enabled)
      expect(reading.problems.map((problem) => problem.variable)).toEqual(['FEATURE_LLM_HUB_ROLLOUT'])
    }
  })
})
