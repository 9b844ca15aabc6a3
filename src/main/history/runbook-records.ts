import type Database from 'better-sqlite3'
import type {
  RunbookProcess,
  RunbookRunStatus,
  RunbookRunView,
  RunbookStepStatus,
  RunbookStepView
} from '@shared/runbook-types'

interface RunRow {
  id: number
  runbook: string
  flag: string | null
  environment: string
  actor: string
  reason: string | null
  status: string
  started_at: string
  finished_at: string | null
  detail: string | null
}

interface StepRow {
  step_index: number
  name: string
  status: string
  started_at: string | null
  finished_at: string | null
  detail: string | null
}

/** The process that owns a run; the token tells this claim from an earlier one by the same pid. */
export interface RunOwner {
  pid: number
  host: string
  token: string
}

export interface NewRunbookRun {
  runbook: string
  flag?: string | null
  environment: string
  actor: string
  reason?: string | null
  steps: readonly string[]
  /** Whatever the runbook needs to resume (no secrets). */
  detail?: unknown
  owner?: RunOwner
  parent?: { runId: number; stepIndex: number } | null
}

/** A cancel asked for by someone else (another process, or this one's CLI). */
export interface CancelRequest {
  by: string
  reason: string | null
  at: string
}

/** What the owning process learns at each heartbeat. */
export interface RunControl {
  /** False once another process has claimed the run (it was taken for interrupted and resumed). */
  owned: boolean
  cancelRequested: CancelRequest | null
}

/**
 * Runbook runs and their steps in the history file. Each change is its own committed write, so
 * after a crash the file says exactly which step was running. A run's `detail` column holds a
 * JSON object: `input` (what it was asked to do), `owner` (pid, host, token and heartbeat of the
 * process running it), `parent`, `notes` (what its steps recorded for a resume), `cancelRequested`
 * and, once finished, `result`.
 */
export class RunbookRecords {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date
  ) {}

  start(run: NewRunbookRun): number {
    const at = this.now().toISOString()
    const detail = {
      input: run.detail ?? null,
      owner: run.owner === undefined ? null : { ...run.owner, heartbeatAt: at },
      parent: run.parent ?? null,
      notes: {},
      cancelRequested: null
    }
    const insert = this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO runbook_runs (runbook, flag, environment, actor, reason, status, started_at, detail)
           VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`
        )
        .run(run.runbook, run.flag ?? null, run.environment, run.actor, run.reason ?? null, at, JSON.stringify(detail))
      const id = Number(result.lastInsertRowid)
      const step = this.db.prepare(
        `INSERT INTO runbook_steps (run_id, step_index, name, status) VALUES (?, ?, ?, 'pending')`
      )
      run.steps.forEach((name, index) => step.run(id, index, name))
      return id
    })
    return insert.immediate()
  }

  /** Counts attempts, so a step re-run after a resume shows that it ran twice. */
  stepStarted(runId: number, index: number): void {
    this.db
      .prepare(
        `UPDATE runbook_steps SET status = 'running', started_at = ?, finished_at = NULL,
           detail = json_set(COALESCE(detail, '{}'), '$.attempts', COALESCE(json_extract(detail, '$.attempts'), 0) + 1)
         WHERE run_id = ? AND step_index = ?`
      )
      .run(this.now().toISOString(), runId, index)
  }

  stepFinished(
    runId: number,
    index: number,
    outcome: {
      status: Extract<RunbookStepStatus, 'done' | 'failed' | 'skipped' | 'cancelled'>
      message: string | null
      durationMs: number | null
    }
  ): void {
    this.db
      .prepare(
        `UPDATE runbook_steps SET status = ?, finished_at = ?,
           detail = json_set(COALESCE(detail, '{}'), '$.message', ?, '$.durationMs', ?)
         WHERE run_id = ? AND step_index = ?`
      )
      .run(outcome.status, this.now().toISOString(), outcome.message, outcome.durationMs, runId, index)
  }

  finish(runId: number, status: Exclude<RunbookRunStatus, 'running'>, result: unknown): void {
    this.db
      .prepare(
        'UPDATE runbook_runs SET status = ?, finished_at = ?, ' +
          "detail = json_set(COALESCE(detail, '{}'), '$.result', json(?)) WHERE id = ?"
      )
      .run(status, this.now().toISOString(), JSON.stringify(result ?? null), runId)
  }

  /**
   * Makes `owner` the run's process, in one IMMEDIATE transaction with the check: of two processes
   * resuming the same run at once, the second sees the first's claim and is refused by `check`.
   * `check` returns why the run may not be claimed, or null.
   */
  claim(
    runId: number,
    owner: RunOwner,
    check: (run: RunbookRunView) => string | null
  ): { ok: true; run: RunbookRunView } | { ok: false; reason: string } {
    const attempt = this.db.transaction(() => {
      const run = this.get(runId)
      if (run === undefined) return { ok: false as const, reason: `there is no runbook run #${runId}` }
      const refusal = check(run)
      if (refusal !== null) return { ok: false as const, reason: refusal }
      this.db
        .prepare(
          `UPDATE runbook_runs SET status = 'running', finished_at = NULL,
             detail = json_set(COALESCE(detail, '{}'), '$.owner', json(?), '$.cancelRequested', json('null'))
           WHERE id = ?`
        )
        .run(JSON.stringify({ ...owner, heartbeatAt: this.now().toISOString() }), runId)
      return { ok: true as const, run: this.get(runId)! }
    })
    return attempt.immediate()
  }

  /** Renews the owner's heartbeat while it still owns the run, and tells it whether a cancel was asked for. */
  heartbeat(runId: number, token: string): RunControl {
    const changed = this.db
      .prepare(
        `UPDATE runbook_runs SET detail = json_set(detail, '$.owner.heartbeatAt', ?)
         WHERE id = ? AND status = 'running' AND json_extract(detail, '$.owner.token') = ?`
      )
      .run(this.now().toISOString(), runId, token).changes
    return { owned: changed > 0, cancelRequested: this.cancelRequest(runId) }
  }

  requestCancel(runId: number, request: CancelRequest): void {
    this.db
      .prepare(
        `UPDATE runbook_runs SET detail = json_set(COALESCE(detail, '{}'), '$.cancelRequested', json(?)) WHERE id = ?`
      )
      .run(JSON.stringify(request), runId)
  }

  cancelRequest(runId: number): CancelRequest | null {
    const row = this.db
      .prepare<[number], { request: string | null }>(
        `SELECT json_extract(detail, '$.cancelRequested') AS request FROM runbook_runs WHERE id = ?`
      )
      .get(runId)
    const request = parseObject(row?.request ?? null)
    return request === null ? null : (request as unknown as CancelRequest)
  }

  /** What the run's steps recorded so far (a backup file, the previous image…), for the steps after a resume. */
  notes(runId: number): Record<string, unknown> {
    const row = this.db
      .prepare<[number], { notes: string | null }>(
        `SELECT json_extract(detail, '$.notes') AS notes FROM runbook_runs WHERE id = ?`
      )
      .get(runId)
    return parseObject(row?.notes ?? null) ?? {}
  }

  setNotes(runId: number, notes: Record<string, unknown>): void {
    this.db
      .prepare(`UPDATE runbook_runs SET detail = json_set(COALESCE(detail, '{}'), '$.notes', json(?)) WHERE id = ?`)
      .run(JSON.stringify(notes), runId)
  }

  /** The token of the claim the run was last recorded under (null for runs recorded without one). */
  ownerToken(runId: number): string | null {
    const row = this.db
      .prepare<[number], { token: string | null }>(
        `SELECT json_extract(detail, '$.owner.token') AS token FROM runbook_runs WHERE id = ?`
      )
      .get(runId)
    return row?.token ?? null
  }

  get(runId: number): RunbookRunView | undefined {
    const row = this.db.prepare<[number], RunRow>('SELECT * FROM runbook_runs WHERE id = ?').get(runId)
    return row === undefined ? undefined : this.view(row)
  }

  list(filter: { status?: RunbookRunStatus; limit?: number } = {}): RunbookRunView[] {
    const rows =
      filter.status === undefined
        ? this.db
            .prepare<[number], RunRow>('SELECT * FROM runbook_runs ORDER BY id DESC LIMIT ?')
            .all(filter.limit ?? 100)
        : this.db
            .prepare<[string, number], RunRow>('SELECT * FROM runbook_runs WHERE status = ? ORDER BY id DESC LIMIT ?')
            .all(filter.status, filter.limit ?? 100)
    return rows.map((row) => this.view(row))
  }

  /** Runs started inside step `stepIndex` of run `parentRunId`, oldest first. */
  children(parentRunId: number, stepIndex: number): RunbookRunView[] {
    return this.db
      .prepare<[number, number], RunRow>(
        `SELECT * FROM runbook_runs
         WHERE json_extract(detail, '$.parent.runId') = ? AND json_extract(detail, '$.parent.stepIndex') = ?
         ORDER BY id`
      )
      .all(parentRunId, stepIndex)
      .map((row) => this.view(row))
  }

  private view(row: RunRow): RunbookRunView {
    const steps = this.db
      .prepare<[number], StepRow>(
        'SELECT step_index, name, status, started_at, finished_at, detail FROM runbook_steps ' +
          'WHERE run_id = ? ORDER BY step_index'
      )
      .all(row.id)
      .map(stepView)
    const detail = parseObject(row.detail)
    return {
      id: row.id,
      runbook: row.runbook,
      environment: row.environment,
      flag: row.flag,
      actor: row.actor,
      reason: row.reason,
      status: row.status as RunbookRunStatus,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      steps,
      result: detail?.result ?? null,
      input: detail?.input ?? null,
      process: processView(detail?.owner),
      parent: parentView(detail?.parent)
    }
  }
}

function stepView(row: StepRow): RunbookStepView {
  const detail = parseObject(row.detail)
  const durationMs =
    typeof detail?.durationMs === 'number'
      ? detail.durationMs
      : row.started_at !== null && row.finished_at !== null
        ? Date.parse(row.finished_at) - Date.parse(row.started_at)
        : null
  return {
    index: row.step_index,
    name: row.name,
    status: row.status as RunbookStepStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs,
    message: typeof detail?.message === 'string' ? detail.message : null,
    // Rows written before attempts were counted: a started step ran at least once.
    attempts: typeof detail?.attempts === 'number' ? detail.attempts : row.started_at === null ? 0 : 1
  }
}

function processView(value: unknown): RunbookProcess | null {
  if (typeof value !== 'object' || value === null) return null
  const owner = value as Record<string, unknown>
  if (typeof owner.pid !== 'number' || typeof owner.host !== 'string' || typeof owner.heartbeatAt !== 'string')
    return null
  // The token stays inside: it is what tells this claim from a later one, not something to show.
  return { pid: owner.pid, host: owner.host, heartbeatAt: owner.heartbeatAt }
}

function parentView(value: unknown): { runId: number; stepIndex: number } | null {
  if (typeof value !== 'object' || value === null) return null
  const parent = value as Record<string, unknown>
  return typeof parent.runId === 'number' && typeof parent.stepIndex === 'number'
    ? { runId: parent.runId, stepIndex: parent.stepIndex }
    : null
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}
