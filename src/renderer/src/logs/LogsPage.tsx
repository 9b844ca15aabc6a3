import { useState } from 'react'
import type { WorkspaceView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import type { InvokeState } from '@renderer/contract/useInvoke'
import { useInvoke } from '@renderer/contract/useInvoke'
import { containerChoices } from './container-choices'
import { LogFollowForm } from './LogFollowForm'
import { LogSearch } from './LogSearch'
import { LogViewControls } from './LogViewControls'
import { useLogFollow, type LogsFollowRequest } from './useLogFollow'
import { behindText } from './log-lag'
import { LOG_SCROLLBACK_LINES, useLogTerminal } from './useLogTerminal'
import { useLogView, WAITING_LINES, type LogViewCounts } from './useLogView'

interface FollowRun {
  request: LogsFollowRequest
  stopped: boolean
}

interface LogsPageProps {
  workspace: InvokeState<WorkspaceView>
  /** The console's environment: its containers are offered, its service first. */
  environment: string | null
  /** A container to follow at once (the Containers page's Logs button), or null. */
  followContainer: string | null
}

/**
 * A container's log as it is written, in a terminal: the developer's `rampart logs -f`, with
 * pause, search, a readable JSON mode and a download of what is shown. Leaving the page stops
 * following, as Stop does.
 */
export function LogsPage({ workspace, environment, followContainer }: LogsPageProps) {
  const { hostRef, write, clear, find, results } = useLogTerminal()
  const view = useLogView({ write, clear })
  const containers = useInvoke('docker.containers', environment === null ? {} : { environment })
  const environmentView = workspace.value?.environments.find((candidate) => candidate.name === environment) ?? null
  const choices = containerChoices(containers.value, environmentView)
  // Opened from the Containers page: that container's log at once, as Follow would.
  const [run, setRun] = useState<FollowRun | null>(() =>
    followContainer === null
      ? null
      : {
          request: { container: followContainer, tail: 200, ...(environment === null ? {} : { environment }) },
          stopped: false
        }
  )
  const stream = useLogFollow(run !== null && !run.stopped ? run.request : null, view.receive)
  const following = run !== null && !run.stopped && !stream.ended
  const behind = behindText(view.lagMs)

  const follow = (request: LogsFollowRequest) => {
    view.reset()
    setRun({ request, stopped: false })
  }
  const stop = () => setRun((current) => (current === null ? null : { ...current, stopped: true }))

  return (
    <div className="logs-page">
      <h1>Logs{environment === null ? '' : ` in ${environment}`}</h1>
      {workspace.error !== null && (
        <ErrorNotice error={workspace.error} context="Could not read the workspace; type the container name" />
      )}
      <LogFollowForm
        choices={choices}
        environment={environment}
        initialContainer={followContainer}
        following={following}
        onFollow={follow}
        onStop={stop}
      />
      {containers.error !== null && (
        <p className="muted logs-note" data-testid="logs-containers-note">
          The Docker engine could not list the containers ({containers.error.message}); the workspace&rsquo;s are
          offered.
        </p>
      )}
      <div className="logs-toolbar">
        <LogViewControls view={view} active={run !== null} container={run?.request.container ?? null} />
        <LogSearch results={results} onFind={find} />
      </div>
      <div aria-live="polite">
        {run !== null && stream.error !== null ? (
          <ErrorNotice error={stream.error} context={`Could not follow the logs of ${run.request.container}`} />
        ) : (
          <p className={view.paused ? 'logs-status logs-status-paused' : 'logs-status'} data-testid="logs-status">
            {statusText(run, stream.ended, view.counts, view.paused)}
          </p>
        )}
        {following && !view.paused && behind !== null && (
          <p className="logs-behind" data-testid="logs-behind">
            {behind}
          </p>
        )}
      </div>
      <div
        className="log-terminal"
        ref={hostRef}
        data-testid="log-terminal"
        data-mode={view.mode}
        role="region"
        aria-label="Log output"
      />
      <p className="muted logs-note">
        Timestamps are Docker&rsquo;s (UTC); stderr is in red. The terminal keeps the last{' '}
        {LOG_SCROLLBACK_LINES.toLocaleString('en')} lines, however they wrap; while paused, up to{' '}
        {WAITING_LINES.toLocaleString('en')} lines wait.
      </p>
    </div>
  )
}

function statusText(run: FollowRun | null, ended: boolean, counts: LogViewCounts, paused: boolean): string {
  if (run === null) return 'Choose a container and press Follow: its latest lines, then new ones as they are written.'
  const { container, environment } = run.request
  const lines = counts.received === 1 ? '1 line' : `${counts.received} lines`
  if (paused) {
    const dropped =
      counts.dropped === 0 ? '' : `; ${counts.dropped.toLocaleString('en')} older ones dropped (the buffer is full)`
    const still = run.stopped || ended ? 'stopped' : 'still arriving'
    return `Paused: ${counts.waiting.toLocaleString('en')} lines waiting (${still})${dropped}. Resume shows them.`
  }
  if (run.stopped) return `Stopped following ${container}; ${lines} shown.`
  if (ended) return `The log of ${container} ended after ${lines}: the container stopped or was removed.`
  return `Following ${container}${environment === undefined ? '' : ` in ${environment}`}: ${lines} so far.`
}
