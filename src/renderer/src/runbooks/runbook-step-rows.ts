import type { RunbookProgress, RunbookRunStatus, RunbookRunView, RunbookStepStatus } from '@shared/runbook-types'

/** One line of a runbook as the console shows it live. */
interface RunbookStepRow {
  index: number
  name: string
  status: RunbookStepStatus
  durationMs: number | null
  /** The step's latest progress line, its summary when done, or its error when failed. */
  message: string | null
}

export interface RunbookStepList {
  rows: RunbookStepRow[]
  /** How many steps the run has, including those not started yet (whose names main has not sent). */
  stepCount: number
  /** The run's status as far as the notices say, or null when they say nothing of it. */
  runStatus: RunbookRunStatus | null
}

/**
 * The steps of one run: what was recorded (a run view from main, when there is one), brought up
 * to date by the progress notices that came after it, in order.
 */
export function runbookStepList(
  recorded: Pick<RunbookRunView, 'steps' | 'status'> | null,
  progress: readonly RunbookProgress[]
): RunbookStepList {
  const rows = new Map<number, RunbookStepRow>()
  for (const step of recorded?.steps ?? []) {
    rows.set(step.index, {
      index: step.index,
      name: step.name,
      status: step.status,
      durationMs: step.durationMs,
      message: step.message
    })
  }
  let stepCount = recorded?.steps.length ?? 0
  let runStatus: RunbookRunStatus | null = recorded?.status ?? null
  for (const notice of progress) {
    stepCount = Math.max(stepCount, notice.stepCount)
    if (notice.kind === 'run_started' || notice.kind === 'run_resumed') runStatus = 'running'
    if (notice.kind === 'run_finished' && isRunStatus(notice.status)) runStatus = notice.status
    if (notice.stepIndex === null || notice.step === null) continue
    const row = rows.get(notice.stepIndex) ?? {
      index: notice.stepIndex,
      name: notice.step,
      status: 'pending',
      durationMs: null,
      message: null
    }
    rows.set(notice.stepIndex, applyNotice(row, notice))
  }
  return { rows: [...rows.values()].sort((a, b) => a.index - b.index), stepCount, runStatus }
}

function applyNotice(row: RunbookStepRow, notice: RunbookProgress): RunbookStepRow {
  switch (notice.kind) {
    case 'step_started':
      return { ...row, status: 'running', durationMs: null, message: null }
    case 'step_progress':
      return { ...row, status: 'running', message: notice.message }
    case 'step_done':
      return { ...row, status: 'done', durationMs: notice.durationMs, message: notice.message }
    case 'step_failed':
      return { ...row, status: 'failed', durationMs: notice.durationMs, message: notice.message }
    case 'step_cancelled':
      return { ...row, status: 'cancelled', durationMs: notice.durationMs, message: notice.message }
    default:
      return row
  }
}

function isRunStatus(status: RunbookProgress['status']): status is RunbookRunStatus {
  return status === 'running' || status === 'succeeded' || status === 'failed' || status === 'cancelled'
}
