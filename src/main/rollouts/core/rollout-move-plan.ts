import { z } from 'zod'
import type { MoveConflictDetail } from '@shared/error-details'
import { FlagStateSchema, type FlagState } from '@shared/flag-state'
import { ROLLOUT_MOVES, type GuardVerdict, type RolloutMove } from '@shared/rollout-types'
import { differingFields } from '@main/flags/core/flag-state-difference'
import { nextPhase, previousPhase, rolloutPosition, ROLLOUT_PATH_TEXT } from '@main/flags/core/rollout-position'

/**
 * Where a move takes the flag: a percentage for advance, back and rollback; `enabled: false` for
 * kill; enabled at 0 % for enable; for adopt, the percentage already in the source (nothing is written).
 */
type RolloutTarget = { rollout_percentage: number } | { enabled: false } | { enabled: true; rollout_percentage: 0 }

export interface OfferedMove {
  move: RolloutMove
  target: RolloutTarget
}

export interface GuardSnapshot {
  /** 'none' when the guards have not judged a window yet. */
  verdict: GuardVerdict | 'none'
  tripped: boolean
  /** Any window of the phase breached (or tripped): the gate out of 0 % asks for none. */
  breached: boolean
  /** Since when the guards have passed without interruption; null when unknown or not passing. */
  passSinceEpochMs: number | null
}

export interface MoveRequest {
  flag: string
  move: RolloutMove
  /** The state just re-read from the source. */
  current: FlagState
  /** The state the operator last saw; any difference from `current` refuses with 'conflict'. */
  expected?: FlagState
  /** The state Rampart last recorded for the rollout; adopt is offered only when the source differs from it. */
  recorded?: FlagState
  reason: string
  confirmation?: string
  guard: GuardSnapshot
  phaseEnteredAtEpochMs: number | null
  minSoakSeconds: number
  nowEpochMs: number
}

export interface MovePlan {
  ok: true
  move: RolloutMove
  from: FlagState
  to: FlagState
  patch: Partial<FlagState>
  /** The reason, trimmed, as it should be recorded. */
  reason: string
}

export interface MoveRefusal {
  ok: false
  code: 'conflict' | 'refused' | 'bad_input'
  message: string
  /** On 'refused': every unmet precondition, so the UI can show them all at once. */
  unmet?: string[]
  /** On 'conflict': both states and the fields that differ (the conflict error's detail). */
  conflict?: MoveConflictDetail
}

/**
 * The moves offered from this state, each with its target. This is about the path only:
 * advance is offered from a phase below 100 even when its preconditions (enabled, guards,
 * soak, confirmation) are unmet, because `planMove` lists those so the operator sees what is
 * missing. Moves that would change nothing are not offered: back and rollback at 0 %, kill on
 * a disabled flag, enable on an enabled one. From drift, advance is not offered (there is no
 * "next phase" of 37 %). Adopt is offered when the source holds a phase that differs from the
 * state on record (`recorded`): a hand edit the rollout can take as its position.
 */
export function allowedMoves(state: FlagState, recorded?: FlagState): OfferedMove[] {
  const position = rolloutPosition(state.rollout_percentage)
  const offers: OfferedMove[] = []
  if (position.kind === 'phase') {
    const next = nextPhase(position.phase)
    if (next !== null) offers.push({ move: 'advance', target: { rollout_percentage: next } })
    const previous = previousPhase(position.phase)
    if (previous !== null) offers.push({ move: 'back', target: { rollout_percentage: previous } })
  } else {
    offers.push({ move: 'back', target: { rollout_percentage: position.phaseBelow } })
  }
  if (state.rollout_percentage > 0) offers.push({ move: 'rollback', target: { rollout_percentage: 0 } })
  if (state.enabled) offers.push({ move: 'kill', target: { enabled: false } })
  else offers.push({ move: 'enable', target: { enabled: true, rollout_percentage: 0 } })
  if (position.kind === 'phase' && recorded !== undefined && differingFields(recorded, state).length > 0) {
    offers.push({ move: 'adopt', target: { rollout_percentage: position.phase } })
  }
  return offers
}

/** Which rule opens the way out of the current phase (shown beside advance, and in its refusals). */
export type AdvanceGate = 'out_of_zero' | 'guards_pass'

/**
 * Out of 0 % only whitelisted users are treated, so a window rarely reaches `min_requests` and
 * the guards mostly hold: there the gate is the soak with no breach in the phase's windows
 * (holds allowed). Every later gate needs the guards to pass.
 */
export function advanceGate(current: FlagState): AdvanceGate {
  return current.rollout_percentage === 0 ? 'out_of_zero' : 'guards_pass'
}

export const ADVANCE_GATE_TEXT: Record<AdvanceGate, string> = {
  out_of_zero: "out of 0 %: the soak, and no breach in this phase's guard windows (holds allowed)",
  guards_pass: 'the guards pass, for the soak time'
}

/**
 * Decides whether a move may be written, and what to write. Checks run in this order:
 * malformed input ('bad_input'), a state that changed since the operator looked ('conflict',
 * because every other verdict would be about a state nobody has seen), then the move's
 * preconditions ('refused', all unmet ones listed together).
 */
export function planMove(request: MoveRequest): MovePlan | MoveRefusal {
  const parsed = MoveRequestSchema.safeParse(request)
  if (!parsed.success) {
    return { ok: false, code: 'bad_input', message: describeIssues(parsed.error, request) }
  }
  const input = parsed.data
  const current = input.current

  if (input.expected !== undefined) {
    const fields = differingFields(input.expected, current)
    if (fields.length > 0) {
      return {
        ok: false,
        code: 'conflict',
        message:
          `flag ${input.flag} changed since it was last read (${fields.join(', ')}): ` +
          `expected ${JSON.stringify(input.expected)}, found ${JSON.stringify(current)}; ` +
          'look at the new state and choose the move again',
        conflict: { expected: input.expected, current, fields }
      }
    }
  }

  const offer = allowedMoves(current, input.recorded).find((candidate) => candidate.move === input.move)
  const unmet: string[] = []
  if (offer === undefined) unmet.push(whyNotOffered(input.move, current))
  else if (input.move === 'advance') unmet.push(...unmetForAdvance(input, offer.target))
  if (input.reason.trim() === '') unmet.push('reason is empty')

  if (offer === undefined || unmet.length > 0) {
    return {
      ok: false,
      code: 'refused',
      message: `cannot ${describeMove(input.flag, input.move, current, offer)}: ${unmet.join('; ')}`,
      unmet
    }
  }

  // Adopt takes the source as it is: the record moves, the source is not written.
  const patch: Partial<FlagState> = input.move === 'adopt' ? {} : offer.target
  return {
    ok: true,
    move: input.move,
    from: current,
    to: { ...current, ...patch },
    patch,
    reason: input.reason.trim()
  }
}

function unmetForAdvance(input: MoveRequest, target: RolloutTarget): string[] {
  const unmet: string[] = []
  if (!input.current.enabled) unmet.push('flag is disabled')
  const { verdict, tripped, breached } = input.guard
  if (advanceGate(input.current) === 'out_of_zero') {
    if (breached && !tripped)
      unmet.push('guards breached in this phase; out of 0 % the gate allows holds, not breaches')
  } else if (verdict === 'none') unmet.push('guards have no verdict yet, not pass')
  else if (verdict !== 'pass') unmet.push(`guards are ${verdict}, not pass`)
  if (tripped) unmet.push('guards have tripped; a trip blocks advancing until it is cleared')
  const soak = unmetSoak(input)
  if (soak !== null) unmet.push(soak)
  // Only the last step exposes everyone, so only it asks for the deliberate act of typing the
  // name, compared exactly (no trimming, no case folding) for the same reason.
  const reachesEveryone = 'rollout_percentage' in target && target.rollout_percentage === 100
  if (reachesEveryone && input.confirmation !== input.flag) {
    unmet.push(
      input.confirmation === undefined || input.confirmation === ''
        ? 'type the flag name to confirm'
        : `confirmation "${input.confirmation}" does not match the flag name "${input.flag}"`
    )
  }
  return unmet
}

/**
 * The soak counts from when the phase was entered, or from when the guards last started
 * passing if that is later: the design asks for guards `pass` on enough data for the soak time,
 * so time spent in the phase while the guards held or breached does not count.
 */
function unmetSoak(input: MoveRequest): string | null {
  const minSoakMs = input.minSoakSeconds * 1000
  if (minSoakMs === 0) return null
  if (input.phaseEnteredAtEpochMs === null) {
    return `soak time: phase start unknown, ${input.minSoakSeconds} s needed`
  }
  // Out of 0 % the guards need not pass, so the soak is the time in the phase.
  const passSince = advanceGate(input.current) === 'out_of_zero' ? null : input.guard.passSinceEpochMs
  const countedFromPass = passSince !== null && passSince > input.phaseEnteredAtEpochMs
  const soakStart = countedFromPass ? passSince : input.phaseEnteredAtEpochMs
  const elapsedMs = input.nowEpochMs - soakStart
  if (elapsedMs >= minSoakMs) return null
  const elapsedSeconds = Math.max(0, Math.floor(elapsedMs / 1000))
  const suffix = countedFromPass ? ' (counted from when the guards last started passing)' : ''
  return `soak time: ${elapsedSeconds} s of ${input.minSoakSeconds} s${suffix}`
}

function whyNotOffered(move: RolloutMove, current: FlagState): string {
  const position = rolloutPosition(current.rollout_percentage)
  switch (move) {
    case 'advance':
      return position.kind === 'drift'
        ? `${position.percentage} % is off the path ${ROLLOUT_PATH_TEXT}; advancing from drift is ` +
            `not offered: step back to ${position.phaseBelow} %, roll back or kill`
        : 'already at 100 %, the last phase'
    case 'back':
      return 'nothing to do: already at 0 %, the first phase'
    case 'rollback':
      return 'nothing to do: already at 0 %'
    case 'kill':
      return 'nothing to do: the flag is already disabled'
    case 'enable':
      return 'nothing to do: the flag is already enabled (enable turns a killed flag on again at 0 %)'
    case 'adopt':
      return position.kind === 'drift'
        ? `${position.percentage} % is off the path ${ROLLOUT_PATH_TEXT}; only a phase can be adopted: ` +
            `step back to ${position.phaseBelow} %, roll back or kill`
        : 'nothing to adopt: the source holds the state on record'
  }
}

function describeMove(flag: string, move: RolloutMove, current: FlagState, offer: OfferedMove | undefined): string {
  const verb = {
    advance: 'advance',
    back: 'step back',
    rollback: 'roll back',
    kill: 'kill',
    enable: 'enable',
    adopt: 'adopt'
  }[move]
  if (move === 'kill' || move === 'enable') return `${verb} ${flag}`
  if (move === 'adopt') return `adopt ${current.rollout_percentage} % as the position of ${flag}`
  const from = `${current.rollout_percentage} %`
  if (offer === undefined || !('rollout_percentage' in offer.target)) return `${verb} ${flag} from ${from}`
  return `${verb} ${flag} from ${from} to ${offer.target.rollout_percentage} %`
}

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number')

/** The request as the contract may deliver it; the reason may be empty (that is a refusal, not bad input). */
const MoveRequestSchema = z.object({
  flag: z.string().refine((flag) => flag.trim() !== '', 'must name the flag to move'),
  move: z.enum(ROLLOUT_MOVES),
  current: FlagStateSchema,
  expected: FlagStateSchema.optional(),
  recorded: FlagStateSchema.optional(),
  reason: z.string(),
  confirmation: z.string().optional(),
  guard: z.object({
    verdict: z.enum(['pass', 'hold', 'trip', 'none']),
    tripped: z.boolean(),
    breached: z.boolean(),
    passSinceEpochMs: finiteNumber.nullable()
  }),
  phaseEnteredAtEpochMs: finiteNumber.nullable(),
  minSoakSeconds: finiteNumber.refine((seconds) => seconds >= 0, 'must not be negative'),
  nowEpochMs: finiteNumber
})

/** e.g. "request.current.rollout_percentage is 150: Too big: expected number to be <=100". */
function describeIssues(error: z.ZodError, request: unknown): string {
  return error.issues
    .map((issue) => {
      const path = ['request', ...issue.path.map(String)].join('.')
      const value = valueAt(request, issue.path)
      return `${path} is ${describeValue(value)}: ${issue.message}`
    })
    .join('; ')
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing'
  if (typeof value === 'number') return String(value)
  return JSON.stringify(value) ?? String(value)
}
