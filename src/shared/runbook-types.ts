/** The runbooks Rampart runs, by the name each run is recorded under (RunbookRunView.runbook). */
export const RUNBOOKS = {
  emergencyRollback: 'emergency-rollback',
  fullRollback: 'full-rollback',
  testDbSetup: 'test-db-setup',
  dbMigrate: 'db-migrate',
  dbRepair: 'db-repair',
  dbRollback: 'db-rollback',
  dbRestore: 'db-restore',
  demoUp: 'demo-up',
  demoDown: 'demo-down'
} as const
export type RunbookName = (typeof RUNBOOKS)[keyof typeof RUNBOOKS]

/** A runbook's steps are recorded before and after they run, so an interrupted run can be shown and resumed. */
export type RunbookStepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled'
/**
 * 'running' is also what a run that crashed still says: whether its process is gone is decided
 * when the runs are listed (see RunbookRunView.process). 'cancelled' runs stopped at a safe point
 * and may be resumed.
 */
export const RUNBOOK_RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const
export type RunbookRunStatus = (typeof RUNBOOK_RUN_STATUSES)[number]

export interface RunbookStepView {
  index: number
  name: string
  status: RunbookStepStatus
  startedAt: string | null
  finishedAt: string | null
  durationMs: number | null
  /** What the step reported: a summary when done, the error when failed. */
  message: string | null
  /** How many times the step was started (more than 1 after a resume re-ran it). */
  attempts: number
}

/** The process that runs (or last ran) a run, so a crash can be told from a run still going. */
export interface RunbookProcess {
  pid: number
  host: string
  /** ISO 8601; renewed every few seconds while the process runs the run. */
  heartbeatAt: string
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
  /** What the run was asked to do (no secrets): a resumable runbook is rebuilt from it. */
  input: unknown
  /** Null for runs recorded before processes were recorded. */
  process: RunbookProcess | null
  /** Set when the run was started inside a step of another run (a database rollback inside a full rollback). */
  parent: { runId: number; stepIndex: number } | null
}

/** A run whose status is 'running' but whose process is gone: shown at start, resumable. */
export interface InterruptedRunbookRun extends RunbookRunView {
  /** Why it is taken for interrupted, e.g. "pid 4121 on build-7 is gone". */
  interruption: string
  /** False for runbooks that cannot be rebuilt from their input (cancel them instead). */
  resumable: boolean
}

/** One progress notice, as the console and the CLI show it live. */
export interface RunbookProgress {
  runId: number
  runbook: string
  environment: string
  at: string
  kind:
    | 'run_started'
    | 'run_resumed'
    | 'step_started'
    | 'step_progress'
    | 'step_done'
    | 'step_failed'
    | 'step_cancelled'
    | 'run_finished'
  stepIndex: number | null
  stepCount: number
  step: string | null
  message: string | null
  durationMs: number | null
  status: RunbookRunStatus | RunbookStepStatus | null
}

/**
 * What a cancel request did: stopped at once (no live process), or asked the running process to
 * stop at its next safe point.
 */
export interface RunbookCancelResult {
  runId: number
  outcome: 'cancelled' | 'requested'
  message: string
}

/** The emergency rollback's result, as recorded with its run. */
export interface EmergencyRollbackResult {
  flag: string
  environment: string
  /** When the intent was recorded, and when the service was verified safe (ISO 8601). */
  intentAt: string
  safeAt: string
  /** From the intent to verified safe: what the on-call engineer waited. */
  timeToSafeMs: number
  /** True when the flag was already disabled (nothing written). */
  alreadyDisabled: boolean
  restarted: boolean
  /** The health check that passed: the URL, or "container health". */
  healthCheck: string
  verifiedUrls: string[]
  /** The service's last log lines (up to 50), captured after it was verified. */
  logLines: string[]
}

export interface EmergencyRollbackOutcome {
  result: EmergencyRollbackResult
  run: RunbookRunView
}

/** The full rollback's result, as recorded with its run. */
export interface FullRollbackResult {
  environment: string
  container: string
  flag: string | null
  database: string
  toVersion: number
  /** The version the database was at before (null when this run did not roll it back: already at the target). */
  fromVersion: number | null
  backup: { file: string; sha256: string; bytes: number } | null
  /** The image before and after, when the image was switched. */
  previousImage: string | null
  image: string | null
  healthCheck: string
  verifiedUrls: string[]
}

export interface FullRollbackOutcome {
  result: FullRollbackResult
  run: RunbookRunView
}
