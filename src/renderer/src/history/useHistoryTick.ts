import { useState } from 'react'
import { useSubscription } from '@renderer/contract/useSubscription'

/**
 * A number that grows each time the history file records something, from this console, the CLI
 * or another window. Reads that depend on history pass it as their `refreshKey`, so one
 * `history.follow` stream serves the whole page.
 */
export function useHistoryTick(): number {
  const [tick, setTick] = useState(0)
  useSubscription('history.follow', {}, () => setTick((value) => value + 1))
  return tick
}
