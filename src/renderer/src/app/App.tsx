import { useEffect, useState } from 'react'
import { MAIN_CONTENT_ID } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import { ContainersPage } from '@renderer/containers/ContainersPage'
import { DatabasePage } from '@renderer/database/DatabasePage'
import { EmergencyPanel } from '@renderer/emergency/EmergencyPanel'
import { useFlags } from '@renderer/flags/useFlags'
import { FlagsPage } from '@renderer/flags/FlagsPage'
import { useBrowserNotifications } from '@renderer/guards/useBrowserNotifications'
import { useSupervision } from '@renderer/guards/useSupervision'
import { HistoryPage } from '@renderer/history/HistoryPage'
import { useHistoryTick } from '@renderer/history/useHistoryTick'
import { LogsPage } from '@renderer/logs/LogsPage'
import { ReviewPage } from '@renderer/review/ReviewPage'
import { RolloutPage } from '@renderer/rollouts/RolloutPage'
import { InterruptedRunsBanner } from '@renderer/runbooks/InterruptedRunsBanner'
import { useRunbookProgress } from '@renderer/runbooks/useRunbookProgress'
import { ConnectionBadge, ConnectionNotice } from './ConnectionBadge'
import { EnvironmentSwitch } from './EnvironmentSwitch'
import { NotificationOffer } from './NotificationOffer'
import { PageTabs, type PageName } from './PageTabs'
import { SkipLink } from './SkipLink'

const MAIN_ID = MAIN_CONTENT_ID

export function App() {
  // One history stream, one progress stream and one supervision stream for the whole console.
  const historyTick = useHistoryTick()
  const progress = useRunbookProgress()
  const notifications = useBrowserNotifications()
  const supervision = useSupervision(notifications.notify)
  const workspace = useInvoke('workspace.describe', {})
  const [chosenEnvironment, setChosenEnvironment] = useState<string | null>(null)
  const environment = chosenEnvironment ?? workspace.value?.defaultEnvironment ?? null
  const flags = useFlags(environment, historyTick)
  const [page, setPage] = useState<PageName>('flags')
  // The container the Containers page's Logs button asked for: the Logs page follows it at once.
  const [logsOf, setLogsOf] = useState<string | null>(null)
  const openPage = (next: PageName) => {
    setLogsOf(null)
    setPage(next)
  }
  const openLogs = (container: string) => {
    setLogsOf(container)
    setPage('logs')
  }
  // The flag the operator last looked at, per environment: the emergency action defaults to it.
  const [lookedAt, setLookedAt] = useState<{ environment: string | null; flag: string } | null>(null)
  const flagOnScreen = flagShown(flags.value?.map((view) => view.flag) ?? [], environment, lookedAt)
  const lookAt = (flag: string) =>
    setLookedAt((previous) =>
      previous?.environment === environment && previous.flag === flag ? previous : { environment, flag }
    )

  const title = supervision.state.summary?.title
  useEffect(() => {
    // The worst state first, so a tab or the Electron window (its title follows) shows it at a glance.
    document.title = title === undefined ? 'Rampart' : `${title} — Rampart`
  }, [title])

  return (
    <div className="app">
      <SkipLink targetId={MAIN_ID} />
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Rampart</span>
          <ConnectionBadge />
          <EnvironmentSwitch workspace={workspace.value} environment={environment} onSwitch={setChosenEnvironment} />
          <NotificationOffer notifications={notifications} />
        </div>
        <EmergencyPanel
          environment={environment}
          flags={flags.value}
          flagOnScreen={flagOnScreen}
          progress={progress}
          onFinished={flags.reload}
        />
      </header>
      <ConnectionNotice />
      <InterruptedRunsBanner progress={progress} historyTick={historyTick} />
      <PageTabs current={page} onSelect={openPage} />
      <main className="app-main" id={MAIN_ID} tabIndex={-1}>
        {page === 'flags' && (
          <FlagsPage environment={environment} flags={flags} flagOnScreen={flagOnScreen} onFlagChosen={lookAt} />
        )}
        {page === 'rollout' && (
          <RolloutPage
            environment={environment}
            flags={flags}
            historyTick={historyTick}
            supervision={supervision}
            onFlagInView={lookAt}
          />
        )}
        {page === 'history' && <HistoryPage environment={environment} historyTick={historyTick} />}
        {page === 'review' && <ReviewPage workspace={workspace.value} historyTick={historyTick} />}
        {page === 'database' && (
          <DatabasePage
            key={environment ?? ''}
            workspace={workspace.value}
            environment={environment}
            progress={progress}
            historyTick={historyTick}
          />
        )}
        {page === 'containers' && (
          <ContainersPage
            key={environment ?? ''}
            environment={environment}
            historyTick={historyTick}
            onLogs={openLogs}
          />
        )}
        {/* Another environment, another service: a log followed in the previous one stops, as on leaving the page. */}
        {page === 'logs' && (
          <LogsPage
            key={`${environment ?? ''}/${logsOf ?? ''}`}
            workspace={workspace}
            environment={environment}
            followContainer={logsOf}
          />
        )}
      </main>
    </div>
  )
}

/**
 * The flag on screen: the only flag of the environment, or the one the operator last looked at
 * there (a Rollout panel in view, a flag chosen on the Flags page). Null otherwise: the emergency
 * action then asks for the flag instead of taking the first of a list.
 */
function flagShown(
  flags: readonly string[],
  environment: string | null,
  lookedAt: { environment: string | null; flag: string } | null
): string | null {
  if (flags.length === 1) return flags[0]!
  if (lookedAt !== null && lookedAt.environment === environment && flags.includes(lookedAt.flag)) return lookedAt.flag
  return null
}
