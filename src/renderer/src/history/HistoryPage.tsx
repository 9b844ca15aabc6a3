import { ChainStatus } from './ChainStatus'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { HistoryTimeline } from './HistoryTimeline'
import { useInvoke } from '@renderer/contract/useInvoke'

const RECENT_EVENTS = 50

interface HistoryPageProps {
  /** The environment whose events are listed; null until the workspace is read (then every event). */
  environment: string | null
  historyTick: number
}

/**
 * The latest recorded events of the chosen environment, and whether the history chain (the whole
 * file, every environment) is intact; both follow new events.
 */
export function HistoryPage({ environment, historyTick }: HistoryPageProps) {
  const events = useInvoke(
    'history.list',
    environment === null ? { limit: RECENT_EVENTS } : { environment, limit: RECENT_EVENTS },
    { refreshKey: historyTick }
  )
  const chain = useInvoke('history.verify', {}, { refreshKey: historyTick })
  return (
    <div className="history-page">
      <h1>History</h1>
      {chain.error !== null && <ErrorNotice error={chain.error} context="Could not verify the history chain" />}
      {chain.value !== null && <ChainStatus report={chain.value} />}
      <h2 className="section-title">
        The latest {RECENT_EVENTS} events{environment === null ? '' : ` in ${environment}`}
      </h2>
      {events.error !== null && <ErrorNotice error={events.error} context="Could not read the history" />}
      {events.value === null && events.error === null && <p className="muted">Reading the history…</p>}
      {events.value !== null && <HistoryTimeline events={events.value} />}
    </div>
  )
}
