/**
 * What a guarded rollout orchestration watches (`rampart rollout watch`, main's supervision):
 * windows are judged with the environment's own settings (no overrides), because a trip takes the
 * environment's action automatically. No page starts one: pages follow 'guards.supervision'.
 */
export interface RolloutWatchInput {
  /** The workspace's default environment when absent. */
  environment?: string
  flag: string
  /** Stop after this many decided windows; without it, until stopped. */
  windows?: number
}
