import { useState } from 'react'
import type { InputOf, OperationName, OutputOf } from '@shared/contract/contract'
import { detailOf, type RunbookRunStoppedDetail } from '@shared/error-details'
import type { ContractError } from '@shared/errors'
import type { RunbookRunView } from '@shared/runbook-types'
import { getBridge } from '@renderer/contract/bridge'
import { runbookStepList, type RunbookStepList } from './runbook-step-rows'
import type { RunbookProgressLog } from './useRunbookProgress'

type RunbookOperationAttempt<N extends OperationName> =
  | { phase: 'running'; environment: string; knownRuns: ReadonlySet<number> }
  | { phase: 'done'; environment: string; value: OutputOf<N> }
  /** `runId` is null when main refused before any run started (a confirmation, a protected environment). */
  | { phase: 'failed'; environment: string; error: ContractError; runId: number | null }

export interface RunbookOperation<N extends OperationName> {
  start: (input: InputOf<N> & { environment: string }) => Promise<void>
  attempt: RunbookOperationAttempt<N> | null
  /** The run's steps: live from `runbook.progress` while it runs, as recorded once it is done. */
  steps: RunbookStepList | null
  running: boolean
}

/**
 * An operation main runs as a recorded runbook (test-database setup, migrate, rollback, restore,
 * repair): starts it, shows its steps live while main works, then the run as main returned it.
 * The run is told from earlier ones by its runbook name and environment, as the emergency action does.
 */
export function useRunbookOperation<N extends OperationName>(
  name: N,
  runbook: string,
  progress: RunbookProgressLog
): RunbookOperation<N> {
  const [attempt, setAttempt] = useState<RunbookOperationAttempt<N> | null>(null)

  const start = async (input: InputOf<N> & { environment: string }) => {
    const { environment } = input
    setAttempt({ phase: 'running', environment, knownRuns: new Set(progress.keys()) })
    const answer = await getBridge().invoke(name, input)
    if (answer.ok) setAttempt({ phase: 'done', environment, value: answer.value })
    else setAttempt({ phase: 'failed', environment, error: answer.error, runId: runIdOf(answer.error) })
  }

  return {
    start,
    attempt,
    steps: stepsOf(attempt, runbook, progress),
    running: attempt?.phase === 'running'
  }
}

function stepsOf<N extends OperationName>(
  attempt: RunbookOperationAttempt<N> | null,
  runbook: string,
  progress: RunbookProgressLog
): RunbookStepList | null {
  if (attempt === null) return null
  if (attempt.phase === 'done') {
    const run = (attempt.value as { run?: RunbookRunView }).run
    return run === undefined ? null : runbookStepList(run, [])
  }
  if (attempt.phase === 'failed') {
    const notices = attempt.runId === null ? undefined : progress.get(attempt.runId)
    return notices === undefined ? null : runbookStepList(null, notices)
  }
  for (const [runId, notices] of progress) {
    if (attempt.knownRuns.has(runId)) continue
    const first = notices[0]
    if (first?.runbook !== runbook || first.environment !== attempt.environment) continue
    return runbookStepList(null, notices)
  }
  return null
}

function runIdOf(error: ContractError): number | null {
  const runId = detailOf<RunbookRunStoppedDetail>(error)?.runId
  return typeof runId === 'number' ? runId : null
}
