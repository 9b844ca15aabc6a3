import type { FlagView } from '../../../shared/views'
import { useInvoke, type InvokeState } from './useInvoke'
import { useSubscription } from './useSubscription'

/**
 * The default environment's flags, read again whenever the history records something, so a
 * change made from the CLI or another window shows up without a manual refresh.
 */
export function useFlags(): InvokeState<FlagView[]> {
  const flags = useInvoke('flags.list', {})
  const { reload } = flags
  useSubscription('history.follow', {}, () => reload())
  return flags
}
