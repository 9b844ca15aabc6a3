import { HistoryStore } from '@main/history/history-store'
import { resolveHistoryPath } from '@main/history/history-path'
import { HistoryService } from '@main/history/history-service'
import { closeInterruptedDbOperations } from '@main/database/interrupted-db-operations'
import { appendPendingKills, pendingKillsPath } from '@main/history/pending-kills'
import { messageOf } from '@main/history/history-file'
import type { Clock } from '@main/platform/clock'

export interface OpenedHistory {
  historyPath: string
  store: HistoryStore
  history: HistoryService
  /** Said once at start (the CLI on stderr): kills journaled while the history could not be written, now in it. */
  historyNotices: string[]
}

/**
 * Opens the history file the way every context does before recording anything: an operation a
 * killed process left open gets its ending, and kills journaled while the file could not be
 * written go into the chain. Its own module, so a context that needs only this (the database
 * commands) loads none of the others' services.
 */
export function openHistory(options: { env: NodeJS.ProcessEnv; clock: Clock; actor: string }): OpenedHistory {
  const historyPath = resolveHistoryPath(options.env)
  const store = HistoryStore.open(historyPath, { now: () => options.clock.now() })
  closeInterruptedDbOperations({ history: { operations: store.operations } })
  const historyNotices = appendJournaledKills(store)
  const history = new HistoryService({ path: store.path, events: store.events, actor: options.actor })
  return { historyPath, store, history, historyNotices }
}

/**
 * Kills journaled beside the history file while it could not be written go into the chain now,
 * each naming that it was journaled. A history that still cannot take them keeps them for later:
 * nothing here stops the start.
 */
function appendJournaledKills(store: HistoryStore): string[] {
  try {
    const outcome = appendPendingKills(store)
    if (outcome === null || outcome.appended.length === 0) return []
    const seqs = outcome.appended.map((event) => `#${event.seq}`).join(', ')
    return [
      `${outcome.appended.length} kill event(s) journaled while the history could not be written were added to ` +
        `${store.path} as ${seqs} (the journal is kept as ${outcome.journal})`
    ]
  } catch (error) {
    return [`kills journaled in ${pendingKillsPath(store.path)} are not in the history yet: ${messageOf(error)}`]
  }
}
