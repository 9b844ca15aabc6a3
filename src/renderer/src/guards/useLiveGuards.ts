import { useRef, useState } from 'react'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import { guardWindowRow, type GuardWindowRow } from './guard-window-row'
import { useRolloutWatch, type GuardWatchLink } from './useRolloutWatch'

type ActionNotice = Extract<RolloutWatchNotice, { kind: 'action' }>

/** An automatic action as the panel shows it: main's notice, and the trip that led to it. */
export interface GuardActionView {
  notice: ActionNotice
  /** When the notice reached the console (the action was done by then). */
  receivedAt: string
  /** The rollout percentage shown when the tripping window arrived; null if none was shown. */
  percentage: number | null
  /** The tripping window's reasons, as main decided them. */
  reasons: string[]
}

export interface LiveGuards {
  link: GuardWatchLink
  /** The latest windows, oldest first. */
  windows: GuardWindowRow[]
  /** Automatic actions since the page opened, newest first, until dismissed. */
  actions: GuardActionView[]
  dismiss: (tripEventSeq: number) => void
}

// The chart shows a few minutes at short windows; everything is in the history file anyway.
const WINDOWS_KEPT = 30
const ACTIONS_KEPT = 5

/**
 * The live guards of one flag while its panel is open: the watch runs in main for as long as
 * this is mounted. Windows and actions are kept as main sent them; `onChange` is called after
 * every window and action so the panel reads the rollout status again.
 */
export function useLiveGuards(
  environment: string,
  flag: string,
  percentage: number | null,
  onChange: () => void
): LiveGuards {
  const [windows, setWindows] = useState<GuardWindowRow[]>([])
  const [actions, setActions] = useState<GuardActionView[]>([])
  // The trip a following action notice belongs to: main sends the tripping window just before it.
  const lastTrip = useRef<{ percentage: number | null; reasons: string[] } | null>(null)

  const link = useRolloutWatch(environment, flag, (notice) => {
    if (notice.kind === 'window') {
      const row = guardWindowRow(notice.window)
      if (row.decision === 'trip') lastTrip.current = { percentage, reasons: row.reasons }
      setWindows((previous) => [...previous, row].slice(-WINDOWS_KEPT))
      onChange()
    } else if (notice.kind === 'action') {
      const trip = lastTrip.current ?? { percentage, reasons: [] }
      lastTrip.current = null
      const view: GuardActionView = {
        notice,
        receivedAt: new Date().toISOString(),
        percentage: trip.percentage,
        reasons: trip.reasons
      }
      setActions((previous) => [view, ...previous].slice(0, ACTIONS_KEPT))
      onChange()
    }
  })

  const dismiss = (tripEventSeq: number) =>
    setActions((previous) => previous.filter((action) => action.notice.tripEventSeq !== tripEventSeq))
  return { link, windows, actions, dismiss }
}
