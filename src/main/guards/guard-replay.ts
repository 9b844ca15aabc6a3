import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { RampartError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { GuardThresholds } from '@shared/schemas/guard-settings'
import { ByteLineSplitter } from './core/byte-line-splitter'
import { GuardEngine, MAX_WINDOW_GAP, needsFlagState, type GuardCounts, type GuardWindow } from './core/guard-engine'
import { GuardLineBatchReader } from './core/guard-line-batch'
import { GuardReplayTally, type GuardReplaySummary } from './core/guard-replay-summary'
import { parseLogLine, type ParsedLogLine, type UnparsedReason } from './core/log-event'
import { readSegmentsInWorkers, type SegmentOptions } from './guard-replay-segments'

/**
 * `rampart guards replay`: the guard engine over a saved log file, read as a stream (memory
 * holds a chunk and the open windows, whatever the file's length), with the same decisions the
 * live watcher would have made. A large file is read and parsed by worker threads, segment by
 * segment, while the engine here takes the lines in file order: the same decisions either way.
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
  /**
   * Worker threads for reading and parsing: by default as many as the machine has cores (at
   * most 2, see PARALLEL_WORKERS) for a file of PARALLEL_MIN_BYTES or more, none below;
   * `workers: 0` reads on this thread.
   */
  parallel?: SegmentOptions
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

/** Below this, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024
/** Two parsers keep the engine's thread busy; more only add memory on the machines we measured. */
const PARALLEL_WORKERS = 2
// Large enough that a segment's message costs little, small enough that the segments read
// ahead (workers × 2) stay a few MiB.
const SEGMENT_BYTES = 2 * 1024 * 1024

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
  let lineNumber = 0
  let firstUnparsed: GuardReplayReport['firstUnparsed'] = null

  /** Called before a line is accepted: the flag state is read when the first line needs it. */
  const loadIfNeeded = async (): Promise<void> => {
    const load = loadFlagState!
    loadFlagState = null
    engine.setFlagState(await passThrough(load)())
  }
  /** One line in file order; null for a blank line (counted for line numbers only). */
  const accept = (parsed: ParsedLogLine | null, windows: GuardWindow[]): void => {
    lineNumber += 1
    if (parsed === null) return
    if (firstUnparsed === null) {
      const before = engine.counts.unparsed
      engine.accept(parsed, windows)
      if (engine.counts.unparsed !== before)
        firstUnparsed = { line: lineNumber, why: parsed.kind === 'unparsed' ? parsed.why : FAR_TIMESTAMP }
    } else {
      engine.accept(parsed, windows)
    }
  }
  const lineSink: LineSink = {
    needsLoad: (parsed) => loadFlagState !== null && needsFlagState(parsed, request.flag),
    load: loadIfNeeded,
    accept,
    hand: async (windows) => {
      if (windows.length === 0) return
      for (const window of windows) tally.add(window)
      await passThrough(onWindows)(windows)
    }
  }

  let file: FileHandle
  try {
    file = await open(request.logPath, 'r')
  } catch (error) {
    throw unreadable(request.logPath, error)
  }
  try {
    const parallel = await parallelOptions(request, file)
    if (parallel === null) await readOnThisThread(request, file, lineSink)
    else await readInWorkers(request, file, parallel, lineSink)
  } catch (error) {
    // The consumer's failure (a closed stdout) or the flag state's is theirs, not the file's.
    throw passedThrough.has(error as object) ? error : unreadable(request.logPath, error)
  } finally {
    await file.close()
  }

  const last: GuardWindow[] = []
  engine.finish(last)
  await lineSink.hand(last)

  const counts = { ...engine.counts }
  return { summary: tally.summary(counts.unparsed), counts, firstUnparsed }
}

async function parallelOptions(request: GuardReplayRequest, file: FileHandle): Promise<SegmentOptions | null> {
  if (request.parallel !== undefined) return request.parallel.workers > 0 ? request.parallel : null
  const workers = Math.min(PARALLEL_WORKERS, availableParallelism())
  if (workers < 2) return null
  const { size, isFile } = await file.stat().then((stat) => ({ size: stat.size, isFile: stat.isFile() }))
  return isFile && size >= PARALLEL_MIN_BYTES ? { workers, segmentBytes: SEGMENT_BYTES } : null
}

/** What the readers hand each line and each chunk's windows to. */
interface LineSink {
  needsLoad(parsed: ParsedLogLine): boolean
  load(): Promise<void>
  accept(parsed: ParsedLogLine | null, windows: GuardWindow[]): void
  hand(windows: GuardWindow[]): Promise<void>
}

/** Errors of the consumer and of the flag state's loader, told apart from the file's own. */
const passedThrough = new WeakSet<object>()

function passThrough<A extends unknown[], R>(body: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await body(...args)
    } catch (error) {
      if (typeof error === 'object' && error !== null) passedThrough.add(error)
      throw error
    }
  }
}

/** The sequential reading: 64 KiB chunks, lines cut as they come. */
async function readOnThisThread(request: GuardReplayRequest, file: FileHandle, sink: LineSink): Promise<void> {
  const splitter = new ByteLineSplitter()
  const lines: string[] = []
  const feed = async (): Promise<void> => {
    const windows: GuardWindow[] = []
    for (let index = 0; index < lines.length; index += 1) {
      const text = lines[index]!
      const parsed = text.length === 0 ? null : parseLogLine(text)
      if (parsed !== null && sink.needsLoad(parsed)) await sink.load()
      sink.accept(parsed, windows)
    }
    lines.length = 0
    await sink.hand(windows)
  }
  const stream = createReadStream('', { fd: file, highWaterMark: READ_CHUNK_BYTES, autoClose: false })
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      splitter.push(chunk, lines)
      if (lines.length > 0) await feed()
    }
  } finally {
    // A consumer that failed (a closed stdout) must not leave the stream reading.
    stream.destroy()
  }
  splitter.end(lines)
  await feed()
}

/** Segments read and parsed by worker threads, their lines taken here in file order. */
async function readInWorkers(
  request: GuardReplayRequest,
  file: FileHandle,
  options: SegmentOptions,
  sink: LineSink
): Promise<void> {
  const lines = new GuardLineBatchReader(request.flag)
  for await (const batch of readSegmentsInWorkers(file, request.logPath, request.flag, options)) {
    const windows: GuardWindow[] = []
    lines.start(batch)
    for (let index = 0; index < batch.count; index += 1) {
      const parsed = lines.line(index)
      if (parsed !== null && sink.needsLoad(parsed)) await sink.load()
      sink.accept(parsed, windows)
    }
    await sink.hand(windows)
  }
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
