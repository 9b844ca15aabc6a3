import { useId, useState } from 'react'
import type { RunbookRunView } from '@shared/runbook-types'
import { MAIN_CONTENT_ID, useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import type { RunbookProgressLog } from './useRunbookProgress'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { InterruptedRunItem } from './InterruptedRunItem'

/**
 * Runbooks that a crash or a closed window left half done, listed at start on every page until
 * they are resumed or cancelled. A run acted on here stays listed, with its outcome, until the
 * operator dismisses it, even though main no longer counts it as interrupted.
 */
export function InterruptedRunsBanner({
  progress,
  historyTick
}: {
  progress: RunbookProgressLog
  historyTick: number
}) {
  const interrupted = useInvoke('runbook.list', { interrupted: true }, { refreshKey: historyTick })
  const [kept, setKept] = useState<ReadonlyMap<number, RunbookRunView>>(() => new Map())
  const headingId = useId()
  const focusAfterRender = useFocusAfterRender()
  const listed = interrupted.value ?? []
  const runs = [
    ...listed,
    ...[...kept.values()].filter((run) => !listed.some((candidate) => candidate.id === run.id))
  ].sort((a, b) => a.id - b.id)

  if (interrupted.error !== null && runs.length === 0) {
    return (
      <div className="interrupted-banner">
        <ErrorNotice error={interrupted.error} context="Could not look for interrupted runbooks" />
      </div>
    )
  }
  if (runs.length === 0) return null

  const keep = (run: RunbookRunView) => setKept((previous) => new Map(previous).set(run.id, run))
  const dismiss = (runId: number) => {
    setKept((previous) => {
      const next = new Map(previous)
      next.delete(runId)
      return next
    })
    // The dismissed run (and its button) are gone: the banner's heading, or the page when it goes too.
    focusAfterRender(runs.length > 1 ? headingId : MAIN_CONTENT_ID)
  }

  return (
    <section className="interrupted-banner" aria-labelledby={headingId} data-testid="interrupted-banner">
      <h2 id={headingId} tabIndex={-1}>
        {listed.length === 0
          ? 'Interrupted runbooks'
          : `${listed.length} runbook${listed.length === 1 ? '' : 's'} did not finish: resume or cancel`}
      </h2>
      <ul className="interrupted-runs">
        {runs.map((run) => (
          <InterruptedRunItem
            key={run.id}
            run={run}
            progress={progress.get(run.id) ?? []}
            stillInterrupted={listed.some((candidate) => candidate.id === run.id)}
            onActed={() => keep(run)}
            onDismiss={() => dismiss(run.id)}
          />
        ))}
      </ul>
    </section>
  )
}
