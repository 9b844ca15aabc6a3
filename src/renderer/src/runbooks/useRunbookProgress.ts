import { useState } from 'react'
import type { RunbookProgress } from '@shared/runbook-types'
import { useSubscription } from '@renderer/contract/useSubscription'

/** Progress notices per run id, oldest first, for the runs main reported since the page opened. */
export type RunbookProgressLog = ReadonlyMap<number, readonly RunbookProgress[]>

// Only the latest runs matter on screen; older ones are in the history file.
const RUNS_KEPT = 20

/**
 * Follows `runbook.progress` for the whole page: the emergency panel and the interrupted-runs
 * banner both read their run's live steps from it. One subscription, opened at start, so the
 * first notices of a run that is about to start are not missed.
 */
export function useRunbookProgress(): RunbookProgressLog {
  const [log, setLog] = useState<RunbookProgressLog>(() => new Map())
  useSubscription('runbook.progress', {}, (items) => setLog((previous) => appendProgress(previous, items)))
  return log
}

function appendProgress(previous: RunbookProgressLog, items: readonly RunbookProgress[]): RunbookProgressLog {
  const next = new Map(previous)
  for (const item of items) next.set(item.runId, [...(next.get(item.runId) ?? []), item])
  // Maps keep insertion order: the first keys are the runs seen first.
  for (const runId of [...next.keys()].slice(0, Math.max(0, next.size - RUNS_KEPT))) next.delete(runId)
  return next
}
