import type { AppliedMoveResult } from '@shared/rollout-watch-types'
import { historyFailure } from '@main/history/history-file'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import type { FlagChangeApplier } from './flag-change-apply'
import type { RolloutMoveRequest, RolloutService } from './rollout-service'
import { killJournaled, KillNotRecordedError, type UnrecordedKill } from './unrecorded-kill'

export interface AppliedMoveRequest extends RolloutMoveRequest {
  /** false: write and record only; an env-file service picks the change up at its next start. */
  restart?: boolean
}

export interface AppliedMovesDeps {
  rollout: Pick<RolloutService, 'move'>
  applier: FlagChangeApplier
  environments: Pick<EnvironmentRegistry, 'get'>
  /** The kill when the history file cannot take it; without it such a kill fails as before. */
  unrecordedKill?: Pick<UnrecordedKill, 'kill'>
}

/**
 * Every move the console, the CLI and the guards make: planned and recorded by the rollout
 * service (the phase machine), then applied to the running service (restarted for an env file,
 * which the service reads only at start).
 */
export class AppliedMoves {
  constructor(private readonly deps: AppliedMovesDeps) {}

  async move(request: AppliedMoveRequest, signal?: AbortSignal): Promise<AppliedMoveResult> {
    const { restart, ...move } = request
    let result
    try {
      result = await this.deps.rollout.move(move)
    } catch (error) {
      // The emergency kill is never blocked by the history file: it goes on without it, and says so.
      const why = request.move === 'kill' ? historyFailure(error) : null
      if (why === null || this.deps.unrecordedKill === undefined) throw error
      const unrecorded = await this.deps.unrecordedKill.kill({
        ...(request.environment === undefined ? {} : { environment: request.environment }),
        flag: request.flag,
        reason: request.reason,
        why,
        ...(restart === undefined ? {} : { restart }),
        alreadyJournaled: killJournaled(error),
        ...(signal === undefined ? {} : { signal })
      })
      throw new KillNotRecordedError(unrecorded)
    }
    const service = await this.deps.applier.apply({
      environment: result.event.environment ?? request.environment ?? this.deps.environments.get(undefined).name,
      flag: request.flag,
      eventSeq: result.event.seq,
      ...(restart === undefined ? {} : { restart }),
      ...(signal === undefined ? {} : { signal })
    })
    return { ...result, service }
  }
}
