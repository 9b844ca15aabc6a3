import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { RampartError } from '@shared/errors'
import { describeFlagVariableProblem } from '@main/flags/core/flag-env-mapping'
import type { EnvironmentHandle } from '@main/flags/environment-registry'
import type { Clock } from '@main/platform/clock'
import type { RolloutService } from '@main/rollouts/rollout-service'
import type { Step, TypedNotes } from '../define-runbook'

/** What the disable step leaves in the run's notes. */
const FlagKillNoteSchema = z.object({
  alreadyDisabled: z.boolean(),
  at: z.string(),
  /** The 'kill' event that recorded the write, when this run wrote it. */
  eventSeq: z.number().int().nullable()
})
export type FlagKillNote = z.infer<typeof FlagKillNoteSchema>

export const FLAG_KILL_NOTE = 'disabled'

export const DisableFlagNotesSchema = z.object({ [FLAG_KILL_NOTE]: FlagKillNoteSchema })
type DisableFlagNotes = z.infer<typeof DisableFlagNotesSchema>

const ATTEMPTS = 40
const RETRY_MS = 50

/**
 * Disables the flag through the rollout service's kill move: under the environment's move lock,
 * re-read and revision-checked, recorded as a 'kill' event with the guard snapshot. A flag found
 * disabled is a success with nothing written, so the step can run twice. In an emergency a
 * lock held by another move (held for milliseconds) or a state changed under us is retried for
 * a couple of seconds instead of refused: kill is allowed from any state.
 */
export async function disableFlag(
  request: {
    rollout: RolloutService
    handle: EnvironmentHandle
    flag: string
    reason: string
    notes: TypedNotes<DisableFlagNotes>
    now: () => Date
  },
  report: (message: string) => void
): Promise<string> {
  const { handle, flag, notes } = request
  let lastRefusal = ''
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const snapshot = await handle.flagSource.read(flag, { forKill: true })
    if (!snapshot.state.enabled) {
      if (notes.get(FLAG_KILL_NOTE) === undefined)
        notes.set(FLAG_KILL_NOTE, {
          alreadyDisabled: true,
          at: request.now().toISOString(),
          eventSeq: null
        } satisfies FlagKillNote)
      return `${flag} is disabled in ${snapshot.origin}; nothing to write`
    }
    try {
      const moved = await request.rollout.move({
        environment: handle.name,
        flag,
        move: 'kill',
        reason: request.reason,
        expected: snapshot.state
      })
      notes.set(FLAG_KILL_NOTE, {
        alreadyDisabled: false,
        at: moved.event.at,
        eventSeq: moved.event.seq
      } satisfies FlagKillNote)
      if (snapshot.unreadable !== undefined) {
        // The percentage shown may be a default standing in for an unreadable value: name what is wrong instead.
        return (
          `${flag} disabled in ${snapshot.origin} (recorded as event #${moved.event.seq}); ` +
          `still to fix by hand: ${snapshot.unreadable.map(describeFlagVariableProblem).join('; ')}`
        )
      }
      return (
        `${flag} disabled in ${snapshot.origin} ` +
        `(was ${snapshot.state.rollout_percentage} %; recorded as event #${moved.event.seq})`
      )
    } catch (error) {
      if (!(error instanceof RampartError) || error.code !== 'conflict') throw error
      lastRefusal = error.message
      if (attempt === 1) report(`retrying: ${error.message}`)
      await sleep(RETRY_MS)
    }
  }
  throw new RampartError(
    'conflict',
    `could not disable ${flag} in ${handle.flagOrigin} after ${ATTEMPTS} attempts: ${lastRefusal}`
  )
}

/** The step: "Disable F in ORIGIN", the first of both rollbacks. */
export function disableFlagStep(
  deps: { rollout: RolloutService; clock: Clock },
  handle: EnvironmentHandle,
  request: { flag: string; reason: string }
): Step<DisableFlagNotes> {
  return {
    name: `Disable ${request.flag} in ${handle.flagOrigin}`,
    run: ({ notes, report }) =>
      disableFlag(
        {
          rollout: deps.rollout,
          handle,
          flag: request.flag,
          reason: request.reason,
          notes,
          now: () => deps.clock.now()
        },
        report
      )
  }
}
