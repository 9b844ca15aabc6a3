import type { ContractError } from './errors'
import type { FlagEvaluation, FlagState } from './flag-state'
import type { GuardVerdict, RolloutMove, RolloutPhase } from './rollout-types'
import type { HistoryEvent } from './history-types'

/** What the console shows of the loaded workspace. Never carries secrets. */
export interface WorkspaceView {
  /** The workspace file, or "built-in default". */
  source: string
  defaultEnvironment: string
  environments: EnvironmentView[]
  historyPath: string
  /** Set when the history file had to be moved aside or needs attention. */
  historyWarning: string | null
  actor: string
}

export interface EnvironmentView {
  name: string
  protected: boolean
  flagSource: { kind: 'env-file' | 'http' | 'unleash'; origin: string }
  flags: string[]
  serviceContainer: string
  postgres: { container: string; database: string; disposable: boolean }
}

export type RolloutPositionView =
  { kind: 'phase'; phase: RolloutPhase } | { kind: 'drift'; percentage: number; phaseBelow: RolloutPhase }

export interface FlagView {
  environment: string
  flag: string
  source: 'env-file' | 'http' | 'unleash'
  origin: string
  /** Null when the source could not be read; `error` says why. */
  state: FlagState | null
  error: ContractError | null
  writable: Record<keyof FlagState, boolean> | null
  position: RolloutPositionView | null
}

export interface FlagEvaluationView extends FlagEvaluation {
  environment: string
  flag: string
  user: string | null
  at: string
}

export interface GuardStatusView {
  verdict: GuardVerdict | 'none'
  tripped: boolean
  /** ISO time since which the guards have passed without a breach, or null. */
  passSince: string | null
  lastWindowAt: string | null
}

export interface MoveOption {
  move: RolloutMove
  /** The state the move would produce (only the changed fields). */
  target: Partial<Pick<FlagState, 'enabled' | 'rollout_percentage'>>
  available: boolean
  /** Every precondition that is not met, in words for the operator. */
  unmet: string[]
  /** Typing the flag name is required (reaching 100 %). */
  needsConfirmation: boolean
  /** For advance: the rule that opens the way out of this phase, in words (the gate out of 0 % differs). */
  rule: string | null
}

export interface RolloutStatusView {
  environment: string
  flag: string
  protected: boolean
  state: FlagState
  position: RolloutPositionView
  options: MoveOption[]
  guard: GuardStatusView
  phaseEnteredAt: string | null
  minSoakSeconds: number
  recentEvents: HistoryEvent[]
}

export interface RolloutMoveResult {
  state: FlagState
  event: HistoryEvent
}
