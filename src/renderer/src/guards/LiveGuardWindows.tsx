import { useMemo } from 'react'
import type { GuardWindowRow } from './guard-window-row'
import { liveChartPoints } from './chart-points'
import { GuardWindowChart } from './GuardWindowChart'
import { GuardWindowTable } from './GuardWindowTable'

interface LiveGuardWindowsProps {
  /** Whose windows, for the region's name: several panels are on one page. */
  subject: string
  windows: readonly GuardWindowRow[]
  /** Main watches the flag now, so more windows are coming. */
  live: boolean
  /** When the current phase began: earlier windows are marked as not counting for it. */
  phaseEnteredAt: string | null
}

/** The windows main decided since the console opened, as a chart and a table; older ones are in the history file. */
export function LiveGuardWindows({ subject, windows, live, phaseEnteredAt }: LiveGuardWindowsProps) {
  const points = useMemo(() => liveChartPoints(windows), [windows])
  return (
    <section className="live-guards" aria-label={`Live guard windows of ${subject}`}>
      <h3 className="live-guards-title">Live guard windows</h3>
      {windows.length === 0 ? (
        <p className="muted" data-testid="guard-windows-empty">
          {live
            ? 'Waiting for the first window: each is decided once it has ended and late lines have had time to arrive.'
            : 'No window decided since the console opened.'}
        </p>
      ) : (
        <div className="live-guards-body">
          <GuardWindowChart points={points} />
          <GuardWindowTable subject={subject} windows={windows} phaseEnteredAt={phaseEnteredAt} />
        </div>
      )}
    </section>
  )
}
