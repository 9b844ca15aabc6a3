import { FALSE, LINE_API_CALL, LINE_BLANK, LINE_UNPARSED, TRUE, type GuardFieldReader } from './guard-field-reader'
import { UNPARSED_LINES, UNPARSED_REASONS, type LogEvent, type ParsedLogLine } from './log-event'

/**
 * The lines of one replay segment as the guard engine needs them, in flat typed arrays: what a
 * worker thread hands back to the thread that runs the engine (a transfer, not a copy), so the
 * engine sees line after line exactly what `GuardFieldReader.read` returned for it.
 */
export interface GuardLineBatch {
  /** Lines in the segment, blank ones included (they count for line numbers). */
  count: number
  /** Per line: BLANK, API_CALL, OTHER_EVENT, or UNPARSED_BASE + the index of its reason. */
  kinds: Uint8Array
  timestamps: Float64Array
  /** API_CALL only. */
  statusCodes: Float64Array
  durations: Float64Array
  /** API_CALL only: SERVED, NOT_SERVED, NO_FLAG, or NO_FLAG_WITH_USER (its id next in `userIds`). */
  served: Int8Array
  /** The user ids of API_CALL lines without a served flag, in line order: only those need one. */
  userIds: string[]
}

const BLANK = 0
const API_CALL = 1
const OTHER_EVENT = 2
const UNPARSED_BASE = 3
const SERVED = 1
const NOT_SERVED = 0
const NO_FLAG = -1
const NO_FLAG_WITH_USER = -2

const REASON_KEYS = Object.keys(UNPARSED_REASONS) as Array<keyof typeof UNPARSED_REASONS>
const REASON_INDEX = new Map<string, number>(REASON_KEYS.map((key, index) => [UNPARSED_REASONS[key], index]))

const NEWLINE = 0x0a

/**
 * Reads the lines of one segment of a log: `bytes` starts at the beginning of a line (the file's
 * start when `atFileStart`, where a UTF-8 byte order mark is dropped) and ends after a newline or
 * at the end of the file. Lines are cut as ByteLineSplitter cuts them.
 */
export function readSegment(bytes: Uint8Array, atFileStart: boolean, reader: GuardFieldReader): GuardLineBatch {
  let start = 0
  if (atFileStart && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3
  let count = 0
  for (let at = bytes.indexOf(NEWLINE, start); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) count += 1
  if (start < bytes.length && bytes[bytes.length - 1] !== NEWLINE) count += 1
  const batch: GuardLineBatch = {
    count,
    kinds: new Uint8Array(count),
    timestamps: new Float64Array(count),
    statusCodes: new Float64Array(count),
    durations: new Float64Array(count),
    served: new Int8Array(count),
    userIds: []
  }
  for (let index = 0; index < count; index += 1) {
    const newline = bytes.indexOf(NEWLINE, start)
    const end = newline === -1 ? bytes.length : newline
    encodeLine(batch, index, reader, reader.scan(bytes, start, end))
    start = end + 1
  }
  return batch
}

function encodeLine(batch: GuardLineBatch, index: number, reader: GuardFieldReader, kind: number): void {
  if (kind === LINE_BLANK) {
    batch.kinds[index] = BLANK
    return
  }
  if (kind === LINE_UNPARSED) {
    batch.kinds[index] = UNPARSED_BASE + REASON_INDEX.get(reader.unparsed.why)!
    return
  }
  batch.timestamps[index] = reader.timestampMsOfLine
  if (kind !== LINE_API_CALL) {
    batch.kinds[index] = OTHER_EVENT
    return
  }
  batch.kinds[index] = API_CALL
  // Both are there on an API_CALL, or it would be unparsed.
  batch.statusCodes[index] = reader.statusCode!
  batch.durations[index] = reader.durationMs!
  const served = reader.servedFlag
  if (served === TRUE) batch.served[index] = SERVED
  else if (served === FALSE) batch.served[index] = NOT_SERVED
  else if (reader.userId === null) batch.served[index] = NO_FLAG
  else {
    batch.served[index] = NO_FLAG_WITH_USER
    batch.userIds.push(reader.userId)
  }
}

/** The buffers to transfer with a batch. */
export function batchBuffers(batch: GuardLineBatch): ArrayBuffer[] {
  return [batch.kinds, batch.timestamps, batch.statusCodes, batch.durations, batch.served].map(
    (array) => array.buffer as ArrayBuffer
  )
}

/**
 * Reads a batch back line by line. The event it returns is reused for the next line: the
 * engine reads it within `accept` and keeps nothing of it.
 */
export class GuardLineBatchReader {
  private readonly event: LogEvent = {
    kind: 'event',
    timestampMs: 0,
    eventType: 'API_CALL',
    userId: null,
    statusCode: null,
    durationMs: null,
    endpoint: null,
    method: null,
    flags: null,
    flag: null,
    enabled: null,
    reason: null,
    errorType: null,
    message: null
  }
  private readonly servedFlags: Readonly<Record<string, unknown>>
  private readonly notServedFlags: Readonly<Record<string, unknown>>
  private batch: GuardLineBatch | null = null
  private nextUserId = 0

  constructor(flag: string) {
    this.servedFlags = Object.freeze({ [flag]: true })
    this.notServedFlags = Object.freeze({ [flag]: false })
  }

  start(batch: GuardLineBatch): void {
    this.batch = batch
    this.nextUserId = 0
  }

  /** Line `index` of the batch (read in order), or null for a blank line. */
  line(index: number): ParsedLogLine | null {
    const batch = this.batch!
    const kind = batch.kinds[index]!
    if (kind === BLANK) return null
    if (kind >= UNPARSED_BASE) return UNPARSED_LINES[REASON_KEYS[kind - UNPARSED_BASE]!]
    const event = this.event
    event.timestampMs = batch.timestamps[index]!
    if (kind === OTHER_EVENT) {
      // The engine only tells API_CALL from the rest.
      event.eventType = 'OTHER'
      event.userId = null
      event.statusCode = null
      event.durationMs = null
      event.flags = null
      return event
    }
    event.eventType = 'API_CALL'
    event.statusCode = batch.statusCodes[index]!
    event.durationMs = batch.durations[index]!
    const served = batch.served[index]!
    event.flags = served === SERVED ? this.servedFlags : served === NOT_SERVED ? this.notServedFlags : null
    event.userId = served === NO_FLAG_WITH_USER ? batch.userIds[this.nextUserId++]! : null
    return event
  }
}
