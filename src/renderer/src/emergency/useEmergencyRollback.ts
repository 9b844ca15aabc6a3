import { useState } from 'react'
import type { InputOf } from '@shared/contract/contract'
import { detailOf, type RunbookRunStoppedDetail } from '@shared/error-details'
import type { ContractError } from '@shared/errors'
import { RUNBOOKS, type EmergencyRollbackOutcome, type RunbookRunView } from '@shared/runbook-types'
import { getBridge } from '@renderer/contract/bridge'
import { runbookStepList, type RunbookStepList } from '@renderer/runbooks/runbook-step-rows'
import type { RunbookProgressLog } from '@renderer/runbooks/useRunbookProgress'

// Enough to find the run that just failed among the latest ones.
const RECENT_RUNS = 20

/** What the run acts on: named on the button while it runs, and in its verdict. */
interface EmergencyTarget {
  environment: string
  flag: string
}

export type EmergencyAttempt =
  | { phase: 'running'; target: EmergencyTarget; knownRuns: ReadonlySet<number> }
  | { phase: 'safe'; target: EmergencyTarget; outcome: EmergencyRollbackOutcome }
  /** `run` is null when main refused before any run started (no reason, unknown flag). */
  | { phase: 'failed'; target: EmergencyTarget; error: ContractError; runId: number | null; run: RunbookRunView | null }

export interface EmergencyRollbackState {
  start: (input: InputOf<'rollback.emergency'> & EmergencyTarget) => Promise<void>
  attempt: EmergencyAttempt | null
  /** Clears an ended attempt from the header (it stays in history). */
  dismiss: () => void
  /** The run's steps: live while it runs, as recorded once it ended; null before a run exists. */
  steps: RunbookStepList | null
}

/**
 * The emergency rollback runbook: starts it, follows its steps live from the shared progress
 * stream while main works, and once it ended shows the run as main recorded it.
 */
export function useEmergencyRollback(progress: RunbookProgressLog): EmergencyRollbackState {
  const [attempt, setAttempt] = useState<EmergencyAttempt | null>(null)

  const start = async (input: InputOf<'rollback.emergency'> & EmergencyTarget) => {
    const target = { environment: input.environment, flag: input.flag }
    setAttempt({ phase: 'running', target, knownRuns: new Set(progress.keys()) })
    const bridge = getBridge()
    const answer = await bridge.invoke('rollback.emergency', input)
    if (answer.ok) {
      setAttempt({ phase: 'safe', target, outcome: answer.value })
      return
    }
    const runId = runIdOf(answer.error)
    let run: RunbookRunView | null = null
    if (runId !== null) {
      const runs = await bridge.invoke('runbook.list', { limit: RECENT_RUNS })
      run = runs.ok ? (runs.value.find((candidate) => candidate.id === runId) ?? null) : null
    }
    setAttempt({ phase: 'failed', target, error: answer.error, runId, run })
  }

  const dismiss = () => setAttempt((current) => (current?.phase === 'running' ? current : null))
  return { start, attempt, dismiss, steps: stepsOf(attempt, progress) }
}

function stepsOf(attempt: EmergencyAttempt | null, progress: RunbookProgressLog): RunbookStepList | null {
  if (attempt === null) return null
  if (attempt.phase === 'safe') return runbookStepList(attempt.outcome.run, [])
  if (attempt.phase === 'failed') {
    if (attempt.run !== null) return runbookStepList(attempt.run, [])
    // The recorded run could not be read back: the notices that came live are the next best.
    const notices = attempt.runId === null ? undefined : progress.get(attempt.runId)
    return notices === undefined ? null : runbookStepList(null, notices)
  }
  for (const [runId, notices] of progress) {
    if (attempt.knownRuns.has(runId)) continue
    const first = notices[0]
    if (first?.runbook !== RUNBOOKS.emergencyRollback) continue
    if (first.environment !== attempt.target.environment) continue
    return runbookStepList(null, notices)
  }
  return null
}

/** The run main started before a step failed, from the error's detail. */
function runIdOf(error: ContractError): number | null {
  const runId = detailOf<RunbookRunStoppedDetail>(error)?.runId
  return typeof runId === 'number' ? runId : null
}
