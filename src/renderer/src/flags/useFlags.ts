import type { FlagView } from '@shared/views'
import { useInvoke, type InvokeState } from '@renderer/contract/useInvoke'

/**
 * The flags of one environment (the workspace's default until it is known), read again whenever
 * the history records something (`historyTick` changes), so a change made from the CLI or another
 * window shows up without a manual refresh. After a switch, the previous environment's flags are
 * not shown while the new ones are read.
 */
export function useFlags(environment: string | null, historyTick: number): InvokeState<FlagView[]> {
  const flags = useInvoke('flags.list', environment === null ? {} : { environment }, { refreshKey: historyTick })
  const value =
    environment === null || flags.value === null
      ? flags.value
      : flags.value.every((view) => view.environment === environment)
        ? flags.value
        : null
  return { ...flags, value }
}
