import { resolveHistoryPath } from '@main/history/history-path'
import { movedAsideWarning, unacknowledgedMovedAside } from '@main/history/moved-aside'
import { isClosed, type CliIo } from './cli-io'

/**
 * What every command says on stderr, whatever it does: history files moved aside as unreadable
 * and not yet acknowledged. Read from the small file beside the history file, so even a command
 * that never opens the history (or cannot) says it.
 */
export function noteMovedAsideHistory(io: CliIo, json: boolean): void {
  const historyPath = resolveHistoryPath(io.env)
  let warning: string | null
  try {
    warning = movedAsideWarning(historyPath, unacknowledgedMovedAside(historyPath))
  } catch (error) {
    warning = error instanceof Error ? error.message : String(error)
  }
  if (warning !== null) writeWarning(io, json, warning)
}

/** One line on stderr: `rampart: WARNING: …`, or `{"warning":"…"}` with --json. */
export function writeWarning(io: CliIo, json: boolean, warning: string): void {
  if (isClosed(io.stderr)) return
  io.stderr.write(json ? `${JSON.stringify({ warning })}\n` : `rampart: WARNING: ${warning}\n`)
}
