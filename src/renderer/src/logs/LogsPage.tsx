import { useState } from 'react'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { LogFollowForm } from './LogFollowForm'
import type { InvokeState } from '@renderer/contract/useInvoke'
import type { WorkspaceView } from '@shared/views'
import { useLogFollow, type LogsFollowRequest } from './useLogFollow'
import { LOG_SCROLLBACK_ROWS, useLogTerminal } from './useLogTerminal'
import { logBatchText } from './log-line-text'

interface FollowRun {
  request: LogsFollowRequest
  stopped: boolean
}

interface LogsPageProps {
  workspace: InvokeState<WorkspaceView>
  /** The console's environment: its service container is offered first. */
  environment: string | null
}

/**
 * A container's log as it is written, in a terminal: the developer's `rampart logs -f`.
 * Leaving the page stops following, as Stop does.
 */
export function LogsPage({ workspace, environment }: LogsPageProps) {
  const { hostRef, write, clear } = useLogTerminal()
  const [run, setRun] = useState<FollowRun | null>(null)
  const [lineCount, setLineCount] = useState(0)
  const stream = useLogFollow(run !== null && !run.stopped ? run.request : null, async (lines) => {
    // One write per batch; the next batch is asked for once xterm has taken this one.
    await write(logBatchText(lines))
    setLineCount((count) => count + lines.length)
  })
  const following = run !== null && !run.stopped && !stream.ended

  const follow = (request: LogsFollowRequest) => {
    clear()
    setLineCount(0)
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
        workspace={workspace.value}
        environment={environment}
        following={following}
        onFollow={follow}
        onStop={stop}
      />
      <div aria-live="polite">
        {run !== null && stream.error !== null ? (
          <ErrorNotice error={stream.error} context={`Could not follow the logs of ${run.request.container}`} />
        ) : (
          <p className="logs-status" data-testid="logs-status">
            {statusText(run, stream.ended, lineCount)}
          </p>
        )}
      </div>
      <div className="log-terminal" ref={hostRef} data-testid="log-terminal" role="region" aria-label="Log output" />
      <p className="muted logs-note">
        Timestamps are Docker&rsquo;s (UTC); stderr is in red. The terminal keeps the last{' '}
        {LOG_SCROLLBACK_ROWS.toLocaleString('en')} rows.
      </p>
    </div>
  )
}

function statusText(run: FollowRun | null, ended: boolean, lineCount: number): string {
  if (run === null) return 'Choose a container and press Follow: its latest lines, then new ones as they are written.'
  const { container, environment } = run.request
  const lines = lineCount === 1 ? '1 line' : `${lineCount} lines`
  if (run.stopped) return `Stopped following ${container}; ${lines} shown.`
  if (ended) return `The log of ${container} ended after ${lines}: the container stopped or was removed.`
  return `Following ${container}${environment === undefined ? '' : ` in ${environment}`}: ${lines} so far.`
}
