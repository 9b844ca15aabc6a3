import { toContractError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { FlagEvaluationView, FlagView, RolloutPositionView } from '@shared/views'
import { evaluateFlag, type FlagRules } from './core/flag-evaluation'
import { rolloutPosition } from './core/rollout-position'
import type { Clock } from '@main/platform/clock'
import type { EnvironmentRegistry } from './environment-registry'

/** Flag state and evaluation, for the console and the CLI alike. */
export class FlagService {
  constructor(
    private readonly environments: EnvironmentRegistry,
    private readonly clock: Clock
  ) {}

  /** Every declared flag of an environment; a flag whose source cannot be read carries the error. */
  async list(environment?: string): Promise<FlagView[]> {
    const handle = this.environments.get(environment)
    const views: FlagView[] = []
    for (const flag of handle.config.flags) views.push(await this.view(handle.name, flag))
    return views
  }

  async get(environment: string | undefined, flag: string): Promise<FlagView> {
    const handle = this.environments.get(environment)
    this.environments.requireFlag(handle, flag)
    return this.view(handle.name, flag)
  }

  /** Whose evaluation rules apply to the environment's flags (Unleash's for an Unleash source). */
  rulesOf(environment: string | undefined): FlagRules {
    return this.environments.get(environment).flagSource.rules
  }

  async readState(environment: string | undefined, flag: string): Promise<FlagState> {
    const handle = this.environments.get(environment)
    this.environments.requireFlag(handle, flag)
    return (await handle.flagSource.read(flag)).state
  }

  async evaluate(
    environment: string | undefined,
    flag: string,
    user: string | undefined,
    atEpochMs?: number
  ): Promise<FlagEvaluationView> {
    const handle = this.environments.get(environment)
    const state = await this.readState(handle.name, flag)
    const at = atEpochMs ?? this.clock.now().getTime()
    const result = evaluateFlag(flag, state, user, at, handle.flagSource.rules)
    return {
      environment: handle.name,
      flag,
      user: user === undefined || user === '' ? null : user,
      at: new Date(at).toISOString(),
      ...result
    }
  }

  private async view(environment: string, flag: string): Promise<FlagView> {
    const handle = this.environments.get(environment)
    try {
      const snapshot = await handle.flagSource.read(flag)
      return {
        environment,
        flag,
        source: handle.flagSource.kind,
        origin: snapshot.origin,
        state: snapshot.state,
        error: null,
        writable: snapshot.writable,
        position: positionView(snapshot.state.rollout_percentage)
      }
    } catch (error) {
      return {
        environment,
        flag,
        source: handle.flagSource.kind,
        origin: handle.flagOrigin,
        state: null,
        error: toContractError(error),
        writable: null,
        position: null
      }
    }
  }
}

export function positionView(percentage: number): RolloutPositionView {
  const position = rolloutPosition(percentage)
  return position.kind === 'phase'
    ? { kind: 'phase', phase: position.phase }
    : { kind: 'drift', percentage: position.percentage, phaseBelow: position.phaseBelow }
}
