import type { AppliedMoveResult } from '@shared/rollout-watch-types'
import type { EnvironmentRegistry } from '@main/flags/environment-registry'
import type { FlagChangeApplier } from './flag-change-apply'
import type { RolloutMoveRequest, RolloutService } from './rollout-service'

export interface AppliedMoveRequest extends RolloutMoveRequest {
  /** false: write and record only; an env-file service picks the change up at its next start. */
  restart?: boolean
}

export interface AppliedMovesDeps {
  rollout: Pick<RolloutService, 'move'>
  applier: FlagChangeApplier
  environments: Pick<EnvironmentRegistry, 'get'>
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
    const result = await this.deps.rollout.move(move)
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
