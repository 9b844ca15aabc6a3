import { basename } from 'node:path'
import type { HistoryEvent } from '@shared/history-types'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import type { HistoryStore } from '@main/history/history-store'
import { guardWindowJson } from './core/guard-replay-format'
import type { GuardWindow } from './core/guard-engine'
import type { GuardReplaySummary } from './core/guard-replay-summary'

export interface ReplayRecordRequest {
  flag: string
  logPath: string
  /** The log file's SHA-256, so a reader can tell which file was replayed. */
  sha256: string
  settings: GuardThresholds & { lateness_seconds: number }
  windows: readonly GuardWindow[]
  summary: GuardReplaySummary
  actor: string
}

/**
 * Stores a replay as a review entry: its windows under the environment `replay:<first 12 of the
 * SHA-256>` and one `replay` event naming the log file, its SHA-256 and the settings used, all in
 * one transaction. The Review page lists it as a rollout of its own; reports export it.
 */
export function recordReplay(
  history: Pick<HistoryStore, 'events' | 'guardWindows' | 'atomically'>,
  request: ReplayRecordRequest
): HistoryEvent {
  const environment = `replay:${request.sha256.slice(0, 12)}`
  const starts = request.windows.map((window) => new Date(window.windowStartMs).toISOString())
  return history.atomically(() => {
    for (const [index, window] of request.windows.entries()) {
      history.guardWindows.recordGuardWindow({
        flag: request.flag,
        environment,
        windowStart: starts[index]!,
        windowSeconds: window.windowSeconds,
        decision: window.decision,
        figures: { ...guardWindowJson(window), settings: request.settings }
      })
    }
    return history.events.appendEvent({
      kind: 'replay',
      actor: request.actor,
      flag: request.flag,
      environment,
      reason: `replay of ${basename(request.logPath)}`,
      outcome: request.summary.verdict,
      detail: {
        log: request.logPath,
        sha256: request.sha256,
        settings: request.settings,
        windows: request.windows.length,
        firstWindow: starts[0] ?? null,
        lastWindow: starts.at(-1) ?? null,
        firstTripWindow:
          request.summary.firstTripWindowMs === null ? null : new Date(request.summary.firstTripWindowMs).toISOString(),
        unparsedLines: request.summary.unparsedLines
      }
    })
  })
}
