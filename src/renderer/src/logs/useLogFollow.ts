import { useEffect, useEffectEvent, useState } from 'react'
import type { StreamInputOf } from '@shared/contract/contract'
import type { ContractError } from '@shared/errors'
import type { LogLine } from '@shared/log-line'
import { getBridge } from '@renderer/contract/bridge'

export type LogsFollowRequest = StreamInputOf<'logs.follow'>

export interface LogFollowState {
  /** The stream ended by itself: the container stopped, or (with `error`) it could not be followed. */
  ended: boolean
  error: ContractError | null
}

/**
 * Follows `logs.follow` while `request` is set: a new request object starts a new stream, null
 * stops it. Stopping (or unmounting) unsubscribes, which makes main close the Docker stream.
 * Unlike `useSubscription`, a lost connection is not followed by a new subscription: that
 * would replay the tail into the terminal, so the page says the stream ended instead.
 */
export function useLogFollow(
  request: LogsFollowRequest | null,
  onBatch: (lines: LogLine[]) => Promise<void>
): LogFollowState {
  const [end, setEnd] = useState<{ request: LogsFollowRequest; error: ContractError | null } | null>(null)
  const handleBatch = useEffectEvent((lines: LogLine[]) => onBatch(lines))

  useEffect(() => {
    if (request === null) return
    let current = true
    const unsubscribe = getBridge().subscribe('logs.follow', request, {
      // A batch already on its way when the stream was replaced must not reach the new screen.
      onBatch: (lines) => (current ? handleBatch(lines) : undefined),
      onEnd: (error) => {
        if (current) setEnd({ request, error })
      }
    })
    return () => {
      current = false
      unsubscribe()
    }
  }, [request])

  const ended = request !== null && end !== null && end.request === request
  return { ended, error: ended ? end.error : null }
}
