import type Database from 'better-sqlite3'
import type { RunbookRunStatus, RunbookRunView, RunbookStepStatus, RunbookStepView } from '../../shared/runbook-types'

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

export interface NewRunbookRun {
  runbook: string
  flag?: string | null
  environment: string
  actor: string
  reason?: string | null
  steps: readonly string[]
  /** Whatever the runbook needs to resume (no secrets). */
  detail?: unknown
}

/**
 * Runbook runs and their steps in the history file. Each change is its own committed write, so
 * after a crash the file says exactly which step was running.
 */
export class RunbookRecords {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date
  ) {}

  start(run: NewRunbookRun): number {
    const at = this.now().toISOString()
    const insert = this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO runbook_runs (runbook, flag, environment, actor, reason, status, started_at, detail)
           VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`
        )
        .run(run.runbook, run.flag ?? null, run.environment, run.actor, run.reason ?? null, at, JSON.stringify({ input: run.detail ?? null }))
      const id = Number(result.lastInsertRowid)
      const step = this.db.prepare(`INSERT INTO runbook_steps (run_id, step_index, name, status) VALUES (?, ?, ?, 'pending')`)
      run.steps.forEach((name, index) => step.run(id, index, name))
      return id
    })
    return insert.immediate()
  }

  stepStarted(runId: number, index: number): void {
    this.db
      .prepare(`UPDATE runbook_steps SET status = 'running', started_at = ?, finished_at = NULL WHERE run_id = ? AND step_index = ?`)
      .run(this.now().toISOString(), runId, index)
  }

  stepFinished(
    runId: number,
    index: number,
    outcome: { status: Extract<RunbookStepStatus, 'done' | 'failed' | 'skipped'>; message: string | null; durationMs: number | null }
  ): void {
    this.db
      .prepare(`UPDATE runbook_steps SET status = ?, finished_at = ?, detail = ? WHERE run_id = ? AND step_index = ?`)
      .run(outcome.status, this.now().toISOString(), JSON.stringify({ message: outcome.message, durationMs: outcome.durationMs }), runId, index)
  }

  finish(runId: number, status: Exclude<RunbookRunStatus, 'running'>, result: unknown): void {
    const row = this.db.prepare<[number], { detail: string | null }>('SELECT detail FROM runbook_runs WHERE id = ?').get(runId)
    const detail = { ...(parseObject(row?.detail ?? null) ?? {}), result: result ?? null }
    this.db
      .prepare('UPDATE runbook_runs SET status = ?, finished_at = ?, detail = ? WHERE id = ?')
      .run(status, this.now().toISOString(), JSON.stringify(detail), runId)
  }

  get(runId: number): RunbookRunView | undefined {
    const row = this.db.prepare<[number], RunRow>('SELECT * FROM runbook_runs WHERE id = ?').get(runId)
    return row === undefined ? undefined : this.view(row)
  }

  list(filter: { status?: RunbookRunStatus; limit?: number } = {}): RunbookRunView[] {
    const rows =
      filter.status === undefined
        ? this.db.prepare<[number], RunRow>('SELECT * FROM runbook_runs ORDER BY id DESC LIMIT ?').all(filter.limit ?? 100)
        : this.db
            .prepare<[string, number], RunRow>('SELECT * FROM runbook_runs WHERE status = ? ORDER BY id DESC LIMIT ?')
            .all(filter.status, filter.limit ?? 100)
    return rows.map((row) => this.view(row))
  }

  private view(row: RunRow): RunbookRunView {
    const steps = this.db
      .prepare<[number], StepRow>('SELECT step_index, name, status, started_at, finished_at, detail FROM runbook_steps WHERE run_id = ? ORDER BY step_index')
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
      result: detail?.result ?? null
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
    message: typeof detail?.message === 'string' ? detail.message : null
  }
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
