import type { FlagView } from '@shared/views'
import { useInvoke, type InvokeState } from '@renderer/contract/useInvoke'

/**
 * The default environment's flags, read again whenever the history records something
 * (`historyTick` changes), so a change made from the CLI or another window shows up without a
 * manual refresh.
 */
export function useFlags(historyTick: number): InvokeState<FlagView[]> {
  return useInvoke('flags.list', {}, { refreshKey: historyTick })
}
