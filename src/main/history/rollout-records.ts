import { RampartError } from '@shared/errors'
import type { HistoryEvent, RolloutRecord } from '@shared/history-types'
import { canonicalJson } from './core/history-chain'
import type { EventLog } from './event-log'
import type { HistoryFile } from './history-file'
import { parseJson } from './history-values'

export interface RolloutWithEvents {
  rollout: RolloutRecord
  events: HistoryEvent[]
}

interface RolloutRow {
  flag: string
  environment: string
  created_at: string
  updated_at: string
  state: string
}

/**
 * The current state of each rollout (one row per flag and environment), beside the events that tell
 * how it got there.
 */
export class RolloutRecords {
  constructor(
    private readonly file: HistoryFile,
    /** Read for a rollout's own events. */
    private readonly events: EventLog
  ) {}

  /** Creates or replaces the current state of a rollout; the first call sets created_at. */
  upsertRollout(input: { flag: string; environment: string; state: unknown }): RolloutRecord {
    const at = this.file.now().toISOString()
    const state = canonicalJson(input.state) ?? 'null'
    this.file.write('record the rollout state in', () =>
      this.file.db
        .prepare(
          `INSERT INTO rollouts (flag, environment, created_at, updated_at, state) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (flag, environment) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state`
        )
        .run(input.flag, input.environment, at, at, state)
    )
    const stored = this.readRollout(input.flag, input.environment)
    if (stored === undefined) {
      throw new RampartError(
        'failed',
        `Rollout ${input.flag}/${input.environment} vanished from ${this.file.path} right after it was written`
      )
    }
    return stored
  }

  listRollouts(): RolloutRecord[] {
    return this.file.db
      .prepare<[], RolloutRow>(
        'SELECT flag, environment, created_at, updated_at, state FROM rollouts ORDER BY flag, environment'
      )
      .all()
      .map(fromRolloutRow)
  }

  /** The rollout's record alone: what a move needs, without reading its events. */
  getRolloutRecord(flag: string, environment: string): RolloutRecord | undefined {
    return this.readRollout(flag, environment)
  }

  getRollout(flag: string, environment: string): RolloutWithEvents | undefined {
    const rollout = this.readRollout(flag, environment)
    if (rollout === undefined) return undefined
    return { rollout, events: this.events.listEvents({ flag, environment }) }
  }

  private readRollout(flag: string, environment: string): RolloutRecord | undefined {
    const row = this.file.db
      .prepare<[string, string], RolloutRow>(
        'SELECT flag, environment, created_at, updated_at, state FROM rollouts WHERE flag = ? AND environment = ?'
      )
      .get(flag, environment)
    return row === undefined ? undefined : fromRolloutRow(row)
  }
}

function fromRolloutRow(row: RolloutRow): RolloutRecord {
  return {
    flag: row.flag,
    environment: row.environment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    state: parseJson(row.state)
  }
}
