import type { HistoryEvent, JsonValue } from '@shared/history-types'
import type { RunbookRunView } from '@shared/runbook-types'

/** What the detail panel shows of one event, beyond its row. */
export interface EventFacts {
  /** The guard figures recorded with it, as indented JSON; null when none were. */
  guardSnapshot: string | null
  /** Its detail, as indented JSON; null when empty. */
  detail: string | null
  /** The runbook run it belongs to, when it names one. */
  runId: number | null
  /** That run as recorded (its steps and their durations), when the history file still has it. */
  run: RunbookRunView | null
  /** From the emergency rollback's intent to verified safe, on the event that recorded it. */
  timeToSafeMs: number | null
}

export function eventFacts(event: HistoryEvent, runs: readonly RunbookRunView[]): EventFacts {
  const detail = objectOf(event.detail)
  const runId = typeof detail?.runId === 'number' ? detail.runId : null
  const timeToSafeMs = typeof detail?.timeToSafeMs === 'number' ? detail.timeToSafeMs : null
  return {
    guardSnapshot: jsonText(event.guardSnapshot),
    detail: jsonText(event.detail),
    runId,
    run: runId === null ? null : (runs.find((run) => run.id === runId) ?? null),
    timeToSafeMs
  }
}

/** The kinds a rollout's events have, with how many of each, for the timeline's filter. */
export function kindCounts(events: readonly HistoryEvent[]): Array<{ kind: string; count: number }> {
  const counts = new Map<string, number>()
  for (const event of events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1)
  return [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => a.kind.localeCompare(b.kind))
}

function objectOf(value: JsonValue): Record<string, JsonValue> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null
}

function jsonText(value: JsonValue): string | null {
  if (value === null) return null
  if (typeof value === 'object' && Object.keys(value).length === 0) return null
  return JSON.stringify(value, null, 2)
}
