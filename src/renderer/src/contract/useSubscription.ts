import { useEffect, useEffectEvent, useState } from 'react'
import type { StreamInputOf, StreamItemOf, StreamName } from '@shared/contract/contract'
import type { ContractError } from '@shared/errors'
import { getBridge } from './bridge'
import { useConnectionState } from './useConnectionState'

export interface SubscriptionState {
  /** Why the stream ended, if it ended with an error. */
  error: ContractError | null
}

/**
 * Follows a stream while the component is mounted; `onBatch` gets each batch, and the next
 * one is sent only after it returns. Subscribes again when the input changes or the
 * connection comes back.
 */
export function useSubscription<N extends StreamName>(
  name: N,
  input: StreamInputOf<N>,
  onBatch: (items: StreamItemOf<N>[]) => void | Promise<void>
): SubscriptionState {
  const connected = useConnectionState() === 'connected'
  const [ended, setEnded] = useState<{ key: string; error: ContractError | null } | null>(null)
  const handleBatch = useEffectEvent((items: StreamItemOf<N>[]) => onBatch(items))
  const key = JSON.stringify([name, input, connected])

  useEffect(() => {
    const [streamName, streamInput, streamConnected] = JSON.parse(key) as [N, StreamInputOf<N>, boolean]
    if (!streamConnected) return
    return getBridge().subscribe(streamName, streamInput, {
      onBatch: (items) => handleBatch(items),
      onEnd: (error) => setEnded({ key, error })
    })
  }, [key])

  return { error: ended !== null && ended.key === key ? ended.error : null }
}
