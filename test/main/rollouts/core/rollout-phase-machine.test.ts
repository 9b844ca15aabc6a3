import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ADVANCE_GATE_TEXT,
  advanceGate,
  allowedMoves,
  differingFields,
  isRolloutPhase,
  nextPhase,
  planMove,
  previousPhase,
  rolloutPosition,
  type MoveRequest
} from '@main/rollouts/core/rollout-phase-machine'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import { ROLLOUT_MOVES, ROLLOUT_PHASES, type RolloutPhase } from '@shared/rollout-types'

const FLAG = 'unified_llm_hub'
const NOW = Date.UTC(2025, 10, 3, 12, 0, 0)
const HOUR_MS = 3_600_000

function flagState(overrides: Partial<FlagState> = {}): FlagState {
  return {
    enabled: true,
    rollout_percentage: 10,
    whitelist_users: ['admin@example.com'],
    blacklist_users: [],
    start_date: '2025-10-27',
    end_date: null,
    ...overrides
  }
}

/** A request whose every precondition holds, so each test breaks exactly the one it is about. */
function request(overrides: Partial<MoveRequest> = {}): MoveRequest {
  return {
    flag: FLAG,
    move: 'advance',
    current: flagState(),
    reason: 'error rate flat for a day',
    guard: { verdict: 'pass', tripped: false, breached: false, passSinceEpochMs: NOW - 2 * HOUR_MS },
    phaseEnteredAtEpochMs: NOW - 2 * HOUR_MS,
    minSoakSeconds: 3600,
    nowEpochMs: NOW,
    ...overrides
  }
}

function unmetOf(overrides: Partial<MoveRequest>): string[] {
  const plan = planMove(request(overrides))
  if (plan.ok) throw new Error(`expected a refusal, got a plan to ${JSON.stringify(plan.to)}`)
  expect(plan.code).toBe('refused')
  return plan.unmet ?? []
}

describe('rolloutPosition', () => {
  it.each(ROLLOUT_PHASES.map((phase, index) => [phase, index] as const))(
    'places %i percent on the path at index %i',
    (phase, index) => {
      expect(rolloutPosition(phase)).toEqual({ kind: 'phase', phase, index })
    }
  )

  it.each([
    [37, 25],
    [5, 0],
    [1, 0],
    [99, 50],
    [11, 10],
    [49, 25],
    [51, 50]
  ])('reads %i percent as drift above phase %i', (percentage, phaseBelow) => {
    expect(rolloutPosition(percentage)).toEqual({ kind: 'drift', percentage, phaseBelow })
  })

  it.each([-1, 101, 12.5, Number.NaN])('rejects %s as bad input', (percentage) => {
    expect(() => rolloutPosition(percentage)).toThrow(RampartError)
    expect(() => rolloutPosition(percentage)).toThrow(/not a whole number from 0 to 100/)
  })
})

describe('nextPhase and previousPhase', () => {
  it('walks the path 0 → 10 → 25 → 50 → 100 forwards and stops at 100', () => {
    expect([0, 10, 25, 50, 100].map((p) => nextPhase(p as RolloutPhase))).toEqual([10, 25, 50, 100, null])
  })

  it('walks the path backwards and stops at 0', () => {
    expect([0, 10, 25, 50, 100].map((p) => previousPhase(p as RolloutPhase))).toEqual([null, 0, 10, 25, 50])
  })

  it('rejects a value that is not a phase instead of reading it as the start of the path', () => {
    expect(() => nextPhase(37 as RolloutPhase)).toThrow(/37 % is not a rollout phase/)
    expect(() => previousPhase(37 as RolloutPhase)).toThrow(/37 % is not a rollout phase/)
  })
})

describe('allowedMoves', () => {
  it('offers advance to the next phase, back, rollback and kill from the middle of the path', () => {
    expect(allowedMoves(flagState({ rollout_percentage: 25 }))).toEqual([
      { move: 'advance', target: { rollout_percentage: 50 } },
      { move: 'back', target: { rollout_percentage: 10 } },
      { move: 'rollback', target: { rollout_percentage: 0 } },
      { move: 'kill', target: { enabled: false } }
    ])
  })

  it('offers neither back nor rollback at 0 %', () => {
    expect(allowedMoves(flagState({ rollout_percentage: 0 }))).toEqual([
      { move: 'advance', target: { rollout_percentage: 10 } },
      { move: 'kill', target: { enabled: false } }
    ])
  })

  it('offers no advance at 100 %', () => {
    expect(allowedMoves(flagState({ rollout_percentage: 100 })).map((offer) => offer.move)).toEqual([
      'back',
      'rollback',
      'kill'
    ])
  })

  it('offers enable instead of kill on a disabled flag, and advance, whose planning lists the disabled flag', () => {
    expect(allowedMoves(flagState({ enabled: false, rollout_percentage: 10 }))).toEqual([
      { move: 'advance', target: { rollout_percentage: 25 } },
      { move: 'back', target: { rollout_percentage: 0 } },
      { move: 'rollback', target: { rollout_percentage: 0 } },
      { move: 'enable', target: { enabled: true, rollout_percentage: 0 } }
    ])
  })

  it('offers adopt when the source holds a phase that differs from the state on record', () => {
    const recorded = flagState({ rollout_percentage: 10 })
    expect(allowedMoves(flagState({ rollout_percentage: 25 }), recorded)).toContainEqual({
      move: 'adopt',
      target: { rollout_percentage: 25 }
    })
    expect(allowedMoves(flagState({ rollout_percentage: 10 }), recorded).map((o) => o.move)).not.toContain('adopt')
    expect(allowedMoves(flagState({ rollout_percentage: 37 }), recorded).map((o) => o.move)).not.toContain('adopt')
  })

  it.each([
    [37, 25],
    [5, 0],
    [99, 50],
    [1, 0]
  ])('from drift at %i percent offers back to %i percent, rollback and kill, never advance', (percentage, below) => {
    expect(allowedMoves(flagState({ rollout_percentage: percentage }))).toEqual([
      { move: 'back', target: { rollout_percentage: below } },
      { move: 'rollback', target: { rollout_percentage: 0 } },
      { move: 'kill', target: { enabled: false } }
    ])
  })
})

describe('planMove: advance', () => {
  it('plans 10 → 25 when every precondition holds, changing only the percentage', () => {
    const plan = planMove(request())
    expect(plan).toEqual({
      ok: true,
      move: 'advance',
      from: flagState(),
      to: flagState({ rollout_percentage: 25 }),
      patch: { rollout_percentage: 25 },
      reason: 'error rate flat for a day'
    })
  })

  it('refuses a disabled flag', () => {
    expect(unmetOf({ current: flagState({ enabled: false }) })).toEqual(['flag is disabled'])
  })

  it.each(['hold', 'trip'] as const)('refuses when the guards are %s', (verdict) => {
    expect(unmetOf({ guard: { verdict, tripped: false, breached: false, passSinceEpochMs: null } })).toEqual([
      `guards are ${verdict}, not pass`
    ])
  })

  it('refuses when the guards have no verdict yet', () => {
    expect(unmetOf({ guard: { verdict: 'none', tripped: false, breached: false, passSinceEpochMs: null } })).toEqual([
      'guards have no verdict yet, not pass'
    ])
  })

  it('refuses after a trip even when the latest window passed', () => {
    expect(
      unmetOf({ guard: { verdict: 'pass', tripped: true, breached: true, passSinceEpochMs: NOW - 2 * HOUR_MS } })
    ).toEqual(['guards have tripped; a trip blocks advancing until it is cleared'])
  })

  it('refuses before the soak time is met and says how far along it is', () => {
    expect(unmetOf({ phaseEnteredAtEpochMs: NOW - 120_000, guard: passingSince(NOW - 120_000) })).toEqual([
      'soak time: 120 s of 3600 s'
    ])
  })

  it('accepts exactly the soak time', () => {
    expect(planMove(request({ phaseEnteredAtEpochMs: NOW - HOUR_MS, guard: passingSince(null) })).ok).toBe(true)
  })

  it('counts the soak from when the guards started passing if that is later than the phase start', () => {
    expect(unmetOf({ phaseEnteredAtEpochMs: NOW - 10 * HOUR_MS, guard: passingSince(NOW - 600_000) })).toEqual([
      'soak time: 600 s of 3600 s (counted from when the guards last started passing)'
    ])
  })

  it('refuses an unknown phase start when a soak time is required', () => {
    expect(unmetOf({ phaseEnteredAtEpochMs: null })).toEqual(['soak time: phase start unknown, 3600 s needed'])
  })

  it('accepts an unknown phase start when the soak time is 0 (the demo)', () => {
    expect(planMove(request({ phaseEnteredAtEpochMs: null, minSoakSeconds: 0 })).ok).toBe(true)
  })

  it.each(['', '   \n\t'])('refuses an empty reason %j', (reason) => {
    expect(unmetOf({ reason })).toEqual(['reason is empty'])
  })

  it('records the reason trimmed', () => {
    const plan = planMove(request({ reason: '  guards green  ' }))
    expect(plan.ok && plan.reason).toBe('guards green')
  })

  it('asks for the flag name to reach 100 %', () => {
    expect(unmetOf({ current: flagState({ rollout_percentage: 50 }) })).toEqual(['type the flag name to confirm'])
  })

  it('refuses a confirmation that is not exactly the flag name', () => {
    expect(unmetOf({ current: flagState({ rollout_percentage: 50 }), confirmation: ` ${FLAG.toUpperCase()}` })).toEqual(
      [`confirmation " ${FLAG.toUpperCase()}" does not match the flag name "${FLAG}"`]
    )
  })

  it('plans 50 → 100 with the flag name typed', () => {
    const plan = planMove(request({ current: flagState({ rollout_percentage: 50 }), confirmation: FLAG }))
    expect(plan.ok && plan.patch).toEqual({ rollout_percentage: 100 })
  })

  it.each([0, 10, 25])('does not ask for confirmation to advance from %i percent', (percentage) => {
    const plan = planMove(request({ current: flagState({ rollout_percentage: percentage }) }))
    expect(plan.ok).toBe(true)
  })

  it('lists every unmet precondition at once', () => {
    const plan = planMove(
      request({
        current: flagState({ enabled: false, rollout_percentage: 50 }),
        guard: { verdict: 'hold', tripped: false, breached: false, passSinceEpochMs: null },
        phaseEnteredAtEpochMs: NOW - 120_000,
        reason: ' ',
        confirmation: undefined
      })
    )
    expect(plan).toEqual({
      ok: false,
      code: 'refused',
      message:
        `cannot advance ${FLAG} from 50 % to 100 %: flag is disabled; guards are hold, not pass; ` +
        'soak time: 120 s of 3600 s; type the flag name to confirm; reason is empty',
      unmet: [
        'flag is disabled',
        'guards are hold, not pass',
        'soak time: 120 s of 3600 s',
        'type the flag name to confirm',
        'reason is empty'
      ]
    })
  })

  it('refuses to advance past 100 %', () => {
    expect(unmetOf({ current: flagState({ rollout_percentage: 100 }), confirmation: FLAG })).toEqual([
      'already at 100 %, the last phase'
    ])
  })

  it.each([
    [37, 25],
    [5, 0],
    [99, 50],
    [1, 0]
  ])('refuses to advance from drift at %i percent and points to the phase below (%i percent)', (percentage, below) => {
    const unmet = unmetOf({ current: flagState({ rollout_percentage: percentage }), confirmation: FLAG })
    expect(unmet).toEqual([
      `${percentage} % is off the path 0 → 10 → 25 → 50 → 100; advancing from drift is not offered: ` +
        `step back to ${below} %, roll back or kill`
    ])
  })
})

describe('planMove: back, rollback and kill', () => {
  it('steps back 25 → 10 with only a reason, whatever the guards and soak say', () => {
    const plan = planMove(
      request({
        move: 'back',
        current: flagState({ rollout_percentage: 25, enabled: false }),
        guard: { verdict: 'trip', tripped: true, breached: true, passSinceEpochMs: null },
        phaseEnteredAtEpochMs: null
      })
    )
    expect(plan.ok && plan.patch).toEqual({ rollout_percentage: 10 })
  })

  it.each([
    [37, 25],
    [5, 0],
    [99, 50],
    [1, 0]
  ])('steps back from drift at %i percent to the phase below, %i percent', (percentage, below) => {
    const plan = planMove(request({ move: 'back', current: flagState({ rollout_percentage: percentage }) }))
    expect(plan.ok && plan.to.rollout_percentage).toBe(below)
  })

  it.each([37, 5, 99, 1, 100, 10])('rolls back from %i percent to 0 percent', (percentage) => {
    const plan = planMove(request({ move: 'rollback', current: flagState({ rollout_percentage: percentage }) }))
    expect(plan.ok && plan.patch).toEqual({ rollout_percentage: 0 })
  })

  it('kills by disabling the flag and leaves the percentage as it was', () => {
    const plan = planMove(request({ move: 'kill', current: flagState({ rollout_percentage: 37 }) }))
    expect(plan.ok && plan.patch).toEqual({ enabled: false })
    expect(plan.ok && plan.to).toEqual(flagState({ rollout_percentage: 37, enabled: false }))
  })

  it.each(['back', 'rollback', 'kill'] as const)('refuses %s without a reason', (move) => {
    expect(unmetOf({ move, reason: '' })).toEqual(['reason is empty'])
  })

  it('refuses to step back from 0 % as nothing to do', () => {
    const plan = planMove(request({ move: 'back', current: flagState({ rollout_percentage: 0 }) }))
    expect(plan).toMatchObject({
      ok: false,
      code: 'refused',
      message: `cannot step back ${FLAG} from 0 %: nothing to do: already at 0 %, the first phase`
    })
  })

  it('refuses to roll back at 0 % as nothing to do', () => {
    expect(unmetOf({ move: 'rollback', current: flagState({ rollout_percentage: 0 }) })).toEqual([
      'nothing to do: already at 0 %'
    ])
  })

  it('refuses to kill a flag that is already disabled as nothing to do', () => {
    expect(unmetOf({ move: 'kill', current: flagState({ enabled: false }), reason: '' })).toEqual([
      'nothing to do: the flag is already disabled',
      'reason is empty'
    ])
  })
})

describe('planMove: enable and adopt', () => {
  it('enables a killed flag at 0 %, whitelisted users only, whatever percentage it was killed at', () => {
    const plan = planMove(
      request({ move: 'enable', current: flagState({ enabled: false, rollout_percentage: 25 }), guard: noWindows() })
    )
    expect(plan).toMatchObject({ ok: true, patch: { enabled: true, rollout_percentage: 0 } })
    expect(plan.ok && plan.to).toEqual(flagState({ enabled: true, rollout_percentage: 0 }))
  })

  it('refuses to enable a flag that is on, as nothing to do', () => {
    const plan = planMove(request({ move: 'enable', current: flagState({ rollout_percentage: 10 }) }))
    expect(plan).toMatchObject({ ok: false, code: 'refused' })
    expect(!plan.ok && plan.unmet).toEqual([
      'nothing to do: the flag is already enabled (enable turns a killed flag on again at 0 %)'
    ])
  })

  it('adopts a hand-set phase without writing anything: the plan changes the record only', () => {
    const current = flagState({ rollout_percentage: 25 })
    const plan = planMove(request({ move: 'adopt', current, recorded: flagState({ rollout_percentage: 10 }) }))
    expect(plan).toMatchObject({ ok: true, move: 'adopt', patch: {}, to: current, from: current })
  })

  it('refuses to adopt a value off the path: only back, rollback and kill remain', () => {
    const plan = planMove(
      request({
        move: 'adopt',
        current: flagState({ rollout_percentage: 37 }),
        recorded: flagState({ rollout_percentage: 25 })
      })
    )
    expect(!plan.ok && plan.unmet).toEqual([
      '37 % is off the path 0 → 10 → 25 → 50 → 100; only a phase can be adopted: step back to 25 %, roll back or kill'
    ])
  })

  it('refuses to adopt when the source holds the state on record', () => {
    const plan = planMove(request({ move: 'adopt', recorded: flagState() }))
    expect(!plan.ok && plan.unmet).toEqual(['nothing to adopt: the source holds the state on record'])
  })
})

describe('planMove: the gate out of 0 %', () => {
  const atZero = flagState({ rollout_percentage: 0 })

  it('opens with the soak met and no breach, even when every window held for lack of traffic', () => {
    const plan = planMove(
      request({ current: atZero, guard: { verdict: 'hold', tripped: false, breached: false, passSinceEpochMs: null } })
    )
    expect(plan).toMatchObject({ ok: true, patch: { rollout_percentage: 10 } })
  })

  it('opens before any window was judged, once the soak is met', () => {
    expect(planMove(request({ current: atZero, guard: noWindows() }))).toMatchObject({ ok: true })
  })

  it('stays shut after a breach in the phase, and says which rule applies', () => {
    const plan = planMove(
      request({ current: atZero, guard: { verdict: 'hold', tripped: false, breached: true, passSinceEpochMs: null } })
    )
    expect(!plan.ok && plan.unmet).toEqual([
      'guards breached in this phase; out of 0 % the gate allows holds, not breaches'
    ])
  })

  it('counts the soak from the phase start, not from a later pass', () => {
    const plan = planMove(
      request({
        current: atZero,
        guard: { verdict: 'pass', tripped: false, breached: false, passSinceEpochMs: NOW - 60_000 },
        phaseEnteredAtEpochMs: NOW - 2 * HOUR_MS,
        minSoakSeconds: 3600
      })
    )
    expect(plan).toMatchObject({ ok: true })
  })

  it('names the rule for each phase: no breach out of 0 %, passing guards after', () => {
    expect(advanceGate(atZero)).toBe('out_of_zero')
    expect(ADVANCE_GATE_TEXT.out_of_zero).toContain('holds allowed')
    for (const phase of [10, 25, 50]) expect(advanceGate(flagState({ rollout_percentage: phase }))).toBe('guards_pass')
  })

  it('after 0 %, a hold still blocks: every later gate needs passing guards', () => {
    const plan = planMove(
      request({ guard: { verdict: 'hold', tripped: false, breached: false, passSinceEpochMs: null } })
    )
    expect(!plan.ok && plan.unmet).toEqual(['guards are hold, not pass'])
  })
})

describe('planMove: conflict and bad input', () => {
  it('refuses with conflict when the source changed since the operator looked, showing both states', () => {
    const expected = flagState({ rollout_percentage: 10 })
    const current = flagState({ rollout_percentage: 37, blacklist_users: ['mallory@example.com'] })
    const plan = planMove(request({ move: 'kill', current, expected }))
    expect(plan).toMatchObject({
      ok: false,
      code: 'conflict',
      conflict: { expected, current, fields: ['rollout_percentage', 'blacklist_users'] }
    })
    expect(plan.ok === false && plan.message).toMatch(
      new RegExp(`^flag ${FLAG} changed since it was last read \\(rollout_percentage, blacklist_users\\)`)
    )
  })

  it('reports a conflict before any unmet precondition, since those would be about an unseen state', () => {
    const plan = planMove(request({ reason: '', expected: flagState({ enabled: false }) }))
    expect(plan.ok === false && plan.code).toBe('conflict')
  })

  it('proceeds when the expected state matches the current one', () => {
    expect(planMove(request({ expected: flagState() })).ok).toBe(true)
  })

  it('names the field and value of a malformed state', () => {
    const plan = planMove(request({ current: flagState({ rollout_percentage: 150 }) }))
    expect(plan).toMatchObject({ ok: false, code: 'bad_input' })
    expect(plan.ok === false && plan.message).toMatch(/^request\.current\.rollout_percentage is 150: /)
  })

  it('rejects an empty flag name, a negative soak time and a NaN clock together', () => {
    const plan = planMove(request({ flag: ' ', minSoakSeconds: -1, nowEpochMs: Number.NaN }))
    expect(plan.ok === false && plan.code).toBe('bad_input')
    const message = plan.ok === false ? plan.message : ''
    expect(message).toContain('request.flag is " ": must name the flag to move')
    expect(message).toContain('request.minSoakSeconds is -1: must not be negative')
    expect(message).toContain('request.nowEpochMs is NaN')
  })

  it('rejects a move that is not one of the four', () => {
    const plan = planMove(request({ move: 'set' as never }))
    expect(plan.ok === false && plan.message).toMatch(/^request\.move is "set": /)
  })
})

describe('differingFields', () => {
  it('finds nothing between equal states', () => {
    expect(differingFields(flagState(), flagState())).toEqual([])
  })

  it('ignores order and surrounding spaces in the user lists', () => {
    const a = flagState({ whitelist_users: ['a@example.com', 'b@example.com'] })
    const b = flagState({ whitelist_users: [' b@example.com', 'a@example.com '] })
    expect(differingFields(a, b)).toEqual([])
  })

  it('counts case and duplicates in the user lists as differences', () => {
    const a = flagState({ whitelist_users: ['a@example.com'], blacklist_users: ['x'] })
    const b = flagState({ whitelist_users: ['A@example.com'], blacklist_users: ['x', 'x'] })
    expect(differingFields(a, b)).toEqual(['whitelist_users', 'blacklist_users'])
  })

  it('lists every scalar that differs, in field order', () => {
    const a = flagState()
    const b = flagState({ enabled: false, rollout_percentage: 25, start_date: '2025-10-28', end_date: '2025-12-31' })
    expect(differingFields(a, b)).toEqual(['enabled', 'rollout_percentage', 'start_date', 'end_date'])
  })
})

// ---- properties ----

function noWindows(): MoveRequest['guard'] {
  return { verdict: 'none', tripped: false, breached: false, passSinceEpochMs: null }
}

function passingSince(passSinceEpochMs: number | null): MoveRequest['guard'] {
  return { verdict: 'pass', tripped: false, breached: false, passSinceEpochMs }
}

const stateArb: fc.Arbitrary<FlagState> = fc.record({
  enabled: fc.boolean(),
  rollout_percentage: fc.oneof(fc.constantFrom(...ROLLOUT_PHASES), fc.integer({ min: 0, max: 100 })),
  whitelist_users: fc.constant(['admin@example.com']),
  blacklist_users: fc.constant([]),
  start_date: fc.constant(null),
  end_date: fc.constant(null)
})

/** Everything about a request except the state it starts from; biased so that advances often succeed. */
type Attempt = Omit<MoveRequest, 'current' | 'expected' | 'flag'> & { stale: boolean }

const attemptArb: fc.Arbitrary<Attempt> = fc.record({
  move: fc.constantFrom(...ROLLOUT_MOVES),
  reason: fc.constantFrom('', '  ', 'guards green', 'incident 42'),
  confirmation: fc.constantFrom(undefined, '', FLAG, 'wrong', ` ${FLAG}`),
  guard: fc.record({
    verdict: fc.constantFrom('pass', 'pass', 'hold', 'trip', 'none'),
    tripped: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    breached: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    passSinceEpochMs: fc.option(fc.integer({ min: NOW - 48 * HOUR_MS, max: NOW }), { nil: null })
  }),
  phaseEnteredAtEpochMs: fc.option(fc.integer({ min: NOW - 48 * HOUR_MS, max: NOW + 60_000 }), { nil: null }),
  minSoakSeconds: fc.constantFrom(0, 0, 60, 3600, 86_400),
  nowEpochMs: fc.constant(NOW),
  stale: fc.integer({ min: 0, max: 8 }).map((n) => n === 0)
}) as fc.Arbitrary<Attempt>

interface Transition {
  move: string
  from: FlagState
  to: FlagState
}

/** Applies a sequence of attempts from `start`, writing only what planMove allowed. */
function run(start: FlagState, attempts: Attempt[]): Transition[] {
  let state = start
  const transitions: Transition[] = []
  for (const { stale, ...attempt } of attempts) {
    // A stale attempt is one made while the source was changed behind the operator's back.
    const expected = stale ? { ...state, enabled: !state.enabled } : state
    const plan = planMove({ ...attempt, flag: FLAG, current: state, expected })
    if (!plan.ok) continue
    transitions.push({ move: plan.move, from: state, to: plan.to })
    state = plan.to
  }
  return transitions
}

describe('properties of the phase machine', () => {
  it('no sequence of moves skips a phase, from any start including drift', () => {
    fc.assert(
      fc.property(stateArb, fc.array(attemptArb, { maxLength: 40 }), (start, attempts) => {
        for (const { from, to } of run(start, attempts)) {
          const before = from.rollout_percentage
          const after = to.rollout_percentage
          if (after > before) {
            expect(isRolloutPhase(before)).toBe(true)
            expect(after).toBe(nextPhase(before as RolloutPhase))
          }
        }
      }),
      { numRuns: 500 }
    )
  })

  it('an allowed advance always targets exactly the next phase and changes nothing else', () => {
    fc.assert(
      fc.property(stateArb, attemptArb, (current, attempt) => {
        const plan = planMove({ ...attempt, move: 'advance', flag: FLAG, current })
        if (!plan.ok) return
        expect(isRolloutPhase(current.rollout_percentage)).toBe(true)
        expect(plan.to).toEqual({
          ...current,
          rollout_percentage: nextPhase(current.rollout_percentage as RolloutPhase)
        })
      }),
      { numRuns: 1000 }
    )
  })

  it('enable exposes whitelisted users only: it always lands at 0 %', () => {
    fc.assert(
      fc.property(stateArb, attemptArb, (current, attempt) => {
        const plan = planMove({ ...attempt, move: 'enable', flag: FLAG, current })
        if (!plan.ok) return
        expect(current.enabled).toBe(false)
        expect(plan.to).toEqual({ ...current, enabled: true, rollout_percentage: 0 })
      }),
      { numRuns: 500 }
    )
  })

  it('adopt never writes to the source', () => {
    fc.assert(
      fc.property(stateArb, stateArb, attemptArb, (current, recorded, attempt) => {
        const plan = planMove({ ...attempt, move: 'adopt', flag: FLAG, current, recorded })
        if (!plan.ok) return
        expect(plan.patch).toEqual({})
        expect(plan.to).toEqual(current)
        expect(isRolloutPhase(current.rollout_percentage)).toBe(true)
      }),
      { numRuns: 500 }
    )
  })

  it('back, rollback and kill never increase exposure', () => {
    fc.assert(
      fc.property(
        stateArb,
        attemptArb,
        fc.constantFrom('back', 'rollback', 'kill') as fc.Arbitrary<'back' | 'rollback' | 'kill'>,
        (current, attempt, move) => {
          const plan = planMove({ ...attempt, move, flag: FLAG, current })
          if (!plan.ok) return
          expect(plan.to.rollout_percentage).toBeLessThanOrEqual(current.rollout_percentage)
          expect(plan.to.enabled && !current.enabled).toBe(false)
          expect(plan.to).not.toEqual(current)
        }
      ),
      { numRuns: 1000 }
    )
  })

  it('every allowed plan is one of the offered moves, with the offered target', () => {
    fc.assert(
      fc.property(stateArb, attemptArb, (current, attempt) => {
        const plan = planMove({ ...attempt, flag: FLAG, current })
        if (!plan.ok) return
        expect(allowedMoves(current)).toContainEqual({ move: plan.move, target: plan.patch })
      }),
      { numRuns: 1000 }
    )
  })

  it('going up from 0 to 100 by advances takes exactly 4 advances through 10, 25 and 50', () => {
    const good: Attempt = {
      move: 'advance',
      reason: 'guards green',
      confirmation: FLAG,
      guard: passingSince(null),
      phaseEnteredAtEpochMs: null,
      minSoakSeconds: 0,
      nowEpochMs: NOW,
      stale: false
    }
    const advanceArb = attemptArb.map((attempt) => ({ ...attempt, move: 'advance' as const }))
    fc.assert(
      fc.property(fc.array(advanceArb, { maxLength: 30 }), (noisy) => {
        // Random attempts (most refused), then good ones until the end of the path.
        const transitions = run(flagState({ rollout_percentage: 0 }), [...noisy, ...Array(10).fill(good)])
        expect(transitions.map((t) => t.to.rollout_percentage)).toEqual([10, 25, 50, 100])
      }),
      { numRuns: 500 }
    )
  })
})
