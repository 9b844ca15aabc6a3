import { useState } from 'react'
import { ConnectionBadge, ConnectionNotice } from './ConnectionBadge'
import { EmergencyPanel } from '@renderer/emergency/EmergencyPanel'
import { InterruptedRunsBanner } from '@renderer/runbooks/InterruptedRunsBanner'
import { PageTabs, type PageName } from './PageTabs'
import { useFlags } from '@renderer/flags/useFlags'
import { useHistoryTick } from '@renderer/history/useHistoryTick'
import { useRunbookProgress } from '@renderer/runbooks/useRunbookProgress'
import { FlagsPage } from '@renderer/flags/FlagsPage'
import { HistoryPage } from '@renderer/history/HistoryPage'
import { LogsPage } from '@renderer/logs/LogsPage'
import { RolloutPage } from '@renderer/rollouts/RolloutPage'

export function App() {
  // One history stream and one progress stream for the whole page; everything below reads them.
  const historyTick = useHistoryTick()
  const progress = useRunbookProgress()
  const flags = useFlags(historyTick)
  const [page, setPage] = useState<PageName>('flags')
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Rampart</span>
          <ConnectionBadge />
        </div>
        <EmergencyPanel flags={flags.value} progress={progress} onFinished={flags.reload} />
      </header>
      <ConnectionNotice />
      <InterruptedRunsBanner progress={progress} historyTick={historyTick} />
      <PageTabs current={page} onSelect={setPage} />
      <main className="app-main">
        {page === 'flags' && <FlagsPage flags={flags} />}
        {page === 'rollout' && <RolloutPage flags={flags} historyTick={historyTick} />}
        {page === 'history' && <HistoryPage historyTick={historyTick} />}
        {page === 'logs' && <LogsPage />}
      </main>
    </div>
  )
}
