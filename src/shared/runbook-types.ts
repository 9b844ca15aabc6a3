/** A runbook's steps are recorded before and after they run, so an interrupted run can be shown and resumed. */
export type RunbookStepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped'
export type RunbookRunStatus = 'running' | 'succeeded' | 'failed'

export interface RunbookStepView {
  index: number
  name: string
  status: RunbookStepStatus
  startedAt: string | null
  finishedAt: string | null
  durationMs: number | null
  /** What the step reported: a summary when done, the error when failed. */
  message: string | null
}

export interface RunbookRunView {
  id: number
  runbook: string
  environment: string
  flag: string | null
  actor: string
  reason: string | null
  status: RunbookRunStatus
  startedAt: string
  finishedAt: string | null
  steps: RunbookStepView[]
  /** The outcome's data (e.g. the connection string of a new test database, without password). */
  result: unknown
}

/** One progress notice, as the console and the CLI show it live. */
export interface RunbookProgress {
  runId: number
  runbook: string
  environment: string
  at: string
  kind: 'run_started' | 'step_started' | 'step_progress' | 'step_done' | 'step_failed' | 'run_finished'
  stepIndex: number | null
  stepCount: number
  step: string | null
  message: string | null
  durationMs: number | null
  status: RunbookRunStatus | RunbookStepStatus | null
}
