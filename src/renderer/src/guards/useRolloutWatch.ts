import { useEffect, useEffectEvent, useState } from 'react'
import type { ContractError } from '@shared/errors'
import type { GuardSettingsView, RolloutWatchNotice } from '@shared/rollout-watch-types'
import { getBridge } from '@renderer/contract/bridge'
import { lockHolderText } from './lock-holder-text'
import { useConnectionState } from '@renderer/contract/useConnectionState'

/** How the console's watch of a flag's guards stands. */
export type GuardWatchLink =
  | { kind: 'starting' }
  /** No connection to main: nothing is watched from here until it comes back. */
  | { kind: 'offline' }
  /** This console holds the watch: windows are judged and a trip takes the environment's action. */
  | { kind: 'live'; container: string; settings: GuardSettingsView }
  /** Another watch (a CLI `rollout watch`, another console) holds it; tried again every RETRY_MS. */
  | { kind: 'held'; holder: string }
  /** The watch could not start or failed; tried again every RETRY_MS. */
  | { kind: 'failed'; error: ContractError }
  /** The stream ended (the service stopped for good, say); started again after RECONNECT_MS. */
  | { kind: 'ended' }

export const RETRY_MS = 10_000
const RECONNECT_MS = 2_000

/**
 * Keeps the guarded-rollout orchestration of one flag running while the component is mounted:
 * subscribes to `rollout.watch`, hands every notice to `onNotice`, and subscribes again after
 * the stream ends (at once when the connection comes back). Main allows one watch per flag;
 * while another holds it, the console says who and tries again every 10 s.
 */
export function useRolloutWatch(
  environment: string,
  flag: string,
  onNotice: (notice: RolloutWatchNotice) => void
): GuardWatchLink {
  const connected = useConnectionState() === 'connected'
  const [attempt, setAttempt] = useState(0)
  // Keyed by what the watch is of, not by the attempt: a retry keeps showing the last answer until a new one comes.
  const key = JSON.stringify([environment, flag])
  const [link, setLink] = useState<{ key: string; link: GuardWatchLink } | null>(null)
  const handleNotice = useEffectEvent(onNotice)

  useEffect(() => {
    if (!connected) return
    const [watchEnvironment, watchFlag] = JSON.parse(key) as [string, string]
    let active = true
    let retry: ReturnType<typeof setTimeout> | null = null
    const unsubscribe = getBridge().subscribe(
      'rollout.watch',
      { environment: watchEnvironment, flag: watchFlag },
      {
        onBatch: (notices) => {
          if (!active) return
          for (const notice of notices) {
            if (notice.kind === 'watching')
              setLink({ key, link: { kind: 'live', container: notice.container, settings: notice.settings } })
            handleNotice(notice)
          }
        },
        onEnd: (error) => {
          if (!active) return
          setLink({ key, link: endedLink(error) })
          retry = setTimeout(() => setAttempt((value) => value + 1), error === null ? RECONNECT_MS : RETRY_MS)
        }
      }
    )
    return () => {
      active = false
      if (retry !== null) clearTimeout(retry)
      unsubscribe()
    }
  }, [key, connected, attempt])

  if (!connected) return { kind: 'offline' }
  return link !== null && link.key === key ? link.link : { kind: 'starting' }
}

function endedLink(error: ContractError | null): GuardWatchLink {
  if (error === null) return { kind: 'ended' }
  if (error.code === 'conflict') return { kind: 'held', holder: lockHolderText(error) }
  return { kind: 'failed', error }
}
