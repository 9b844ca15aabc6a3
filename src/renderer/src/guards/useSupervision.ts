import { useState } from 'react'
import type { ContractError } from '@shared/errors'
import type { Attention } from '@shared/supervision-types'
import { useSubscription } from '@renderer/contract/useSubscription'
import { useConnectionState } from '@renderer/contract/useConnectionState'
import {
  applySupervision,
  EMPTY_SUPERVISION,
  flagSupervision,
  withoutAction,
  type FlagSupervision,
  type SupervisionState
} from './supervision-state'

export interface Supervision {
  state: SupervisionState
  /** Main's supervision of one flag as the console has followed it. */
  of: (environment: string, flag: string) => FlagSupervision
  dismiss: (environment: string, flag: string, tripEventSeq: number) => void
  /** Whether the stream is followed now (false while disconnected, or after it failed). */
  following: boolean
  error: ContractError | null
}

/**
 * The one subscription to main's guard supervision, for the whole console: main watches every
 * enabled flag whatever page is open, so pages only show what it reports. `onAttention` gets each
 * attention raised while the console follows (not those of the first snapshot, which are past).
 */
export function useSupervision(onAttention: (attention: Attention) => void): Supervision {
  const [state, setState] = useState<SupervisionState>(EMPTY_SUPERVISION)
  const connected = useConnectionState() === 'connected'
  const stream = useSubscription('guards.supervision', {}, (notices) => {
    const receivedAt = new Date().toISOString()
    setState((previous) => applySupervision(previous, notices, receivedAt))
    for (const notice of notices) if (notice.kind === 'attention') onAttention(notice.attention)
  })
  return {
    state,
    of: (environment, flag) => flagSupervision(state, environment, flag),
    dismiss: (environment, flag, tripEventSeq) =>
      setState((previous) => withoutAction(previous, environment, flag, tripEventSeq)),
    following: connected && stream.error === null,
    error: stream.error
  }
}
