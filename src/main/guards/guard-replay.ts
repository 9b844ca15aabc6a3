import { createReadStream } from 'node:fs'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { ByteLineSplitter } from './core/byte-line-splitter'
import { GuardEngine, MAX_WINDOW_GAP, needsFlagState, type GuardCounts, type GuardWindow } from './core/guard-engine'
import { GuardReplayTally, type GuardReplaySummary } from './core/guard-replay-summary'
import { parseLogLine, type UnparsedReason } from './core/log-event'

/**
 * `rampart guards replay`: the guard engine over a saved log file, read as a stream (memory
 * holds a chunk and the open windows, whatever the file's length), with the same decisions the
 * live watcher would have made.
 */

export interface GuardReplayRequest {
  logPath: string
  flag: string
  /**
   * Attributes events without `flags`; null leaves them unattributed. A function is called once,
   * when the first event that needs it comes (a log whose events all carry `flags` never calls it).
   */
  flagState: FlagState | null | (() => Promise<FlagState | null>)
  settings: GuardThresholds
  latenessSeconds?: number
}

export interface GuardReplayReport {
  summary: GuardReplaySummary
  counts: GuardCounts
  /** The first line that could not be parsed, to show the operator what is wrong with the file. */
  firstUnparsed: { line: number; why: UnparsedReason | string } | null
}

const FAR_TIMESTAMP = `timestamp more than ${MAX_WINDOW_GAP} windows away from the newest event`

// 64 KiB reads measured fastest here: larger chunks make larger strings to decode and slice.
const READ_CHUNK_BYTES = 64 * 1024

/**
 * Replays `request.logPath`; `onWindows` gets the windows each chunk decided, in time order,
 * and is awaited (so a slow consumer slows the reading, not the memory). Blank lines are
 * skipped; every other line counts as parsed or unparsed.
 */
export async function replayGuardLog(
  request: GuardReplayRequest,
  onWindows: (windows: GuardWindow[]) => void | Promise<void>
): Promise<GuardReplayReport> {
  let loadFlagState = typeof request.flagState === 'function' ? request.flagState : null
  const engine = new GuardEngine({
    flag: request.flag,
    flagState: typeof request.flagState === 'function' ? null : request.flagState,
    settings: request.settings,
    latenessSeconds: request.latenessSeconds
  })
  const tally = new GuardReplayTally()
  const splitter = new ByteLineSplitter()
  const lines: string[] = []
  let lineNumber = 0
  let firstUnparsed: GuardReplayReport['firstUnparsed'] = null

  const feed = async (): Promise<void> => {
    const windows: GuardWindow[] = []
    for (let index = 0; index < lines.length; index += 1) {
      lineNumber += 1
      const text = lines[index]!
      if (text.length === 0) continue
      const parsed = parseLogLine(text)
      if (loadFlagState !== null && needsFlagState(parsed, request.flag)) {
        const load = loadFlagState
        loadFlagState = null
        engine.setFlagState(await load())
      }
      if (firstUnparsed === null) {
        const before = engine.counts.unparsed
        engine.accept(parsed, windows)
        if (engine.counts.unparsed !== before)
          firstUnparsed = { line: lineNumber, why: parsed.kind === 'unparsed' ? parsed.why : FAR_TIMESTAMP }
      } else {
        engine.accept(parsed, windows)
      }
    }
    lines.length = 0
    if (windows.length > 0) {
      for (const window of windows) tally.add(window)
      await onWindows(windows)
    }
  }

  const stream = createReadStream(request.logPath, { highWaterMark: READ_CHUNK_BYTES })
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  try {
    for (;;) {
      let next: IteratorResult<Buffer>
      try {
        next = await chunks.next()
      } catch (error) {
        throw unreadable(request.logPath, error)
      }
      if (next.done === true) break
      splitter.push(next.value, lines)
      if (lines.length > 0) await feed()
    }
  } finally {
    // A consumer that failed (a closed stdout) must not leave the file open.
    stream.destroy()
  }
  splitter.end(lines)
  await feed()

  const last: GuardWindow[] = []
  engine.finish(last)
  for (const window of last) tally.add(window)
  if (last.length > 0) await onWindows(last)

  const counts = { ...engine.counts }
  return { summary: tally.summary(counts.unparsed), counts, firstUnparsed }
}

/** The log cannot be read: an operational failure (exit 1), naming the file and the reason. */
function unreadable(path: string, error: unknown): RampartError {
  if (error instanceof RampartError) return error
  const code = (error as NodeJS.ErrnoException).code
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable (permission denied)'
          : `cannot be read (${(error as Error).message})`
  return new RampartError('failed', `log file ${path} ${why}`)
}
