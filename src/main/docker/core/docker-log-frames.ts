import type { LogLine } from '@shared/log-line'

export type { LogLine }

/**
 * Docker's output streams, as bytes: the multiplexed framing of non-TTY containers and exec
 * sessions, splitting bytes into UTF-8 lines, and the `timestamps=1` prefix. Pure: the adapter
 * feeds it whatever chunks the socket delivers.
 */

export type OutputStream = 'stdout' | 'stderr'

/** One frame of the multiplexed stream: exactly the bytes the engine wrote in one frame. */
export interface OutputFrame {
  stream: OutputStream
  data: Uint8Array
}

const HEADER_BYTES = 8
const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/**
 * Receives the payload bytes of the multiplexed stream as ranges of the chunk they arrived in
 * (no copy, no allocation): `frameStart`/`frameEnd` say whether a range begins or ends a frame,
 * since a frame that straddles chunks arrives as several ranges.
 */
export type PayloadVisitor = (
  stream: OutputStream,
  chunk: Uint8Array,
  start: number,
  end: number,
  frameStart: boolean,
  frameEnd: boolean
) => void

/**
 * Turns the multiplexed stream (8-byte header: stream byte 0/1/2, three zero bytes, uint32
 * big-endian length; then the payload) back into frames, whatever way the socket cut it.
 */
export class FrameDemuxer {
  private readonly header = new Uint8Array(HEADER_BYTES)
  private headerFilled = 0
  private stream: OutputStream = 'stdout'
  private frameLength = 0
  /** Payload bytes of the current frame still to come. */
  private remaining = 0
  private assembling: Uint8Array | null = null
  private assembled = 0
  private offset = 0

  /** The lowest level: payload ranges in order, for callers that copy bytes straight through. */
  scan(chunk: Uint8Array, visit: PayloadVisitor): void {
    let position = 0
    while (position < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - position)
        const frameStart = this.remaining === this.frameLength
        this.remaining -= take
        visit(this.stream, chunk, position, position + take, frameStart, this.remaining === 0)
        position += take
        continue
      }
      let length: number
      if (this.headerFilled === 0 && chunk.length - position >= HEADER_BYTES) {
        // The common case: the whole header is here, read it in place.
        length = this.readHeader(chunk, position)
        position += HEADER_BYTES
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFilled, chunk.length - position)
        this.header.set(chunk.subarray(position, position + take), this.headerFilled)
        this.headerFilled += take
        position += take
        if (this.headerFilled < HEADER_BYTES) continue
        this.headerFilled = 0
        length = this.readHeader(this.header, 0)
      }
      this.frameLength = length
      this.remaining = length
      if (length === 0) visit(this.stream, chunk, position, position, true, true)
    }
    this.offset += chunk.length
  }

  /**
   * The frames completed by this chunk, in order. A frame wholly inside the chunk is a view of
   * it (no copy); only a frame that straddles chunks is assembled into a buffer of its own.
   */
  push(chunk: Uint8Array): OutputFrame[] {
    const frames: OutputFrame[] = []
    this.scan(chunk, (stream, bytes, start, end, frameStart, frameEnd) => {
      if (frameStart && frameEnd) {
        frames.push({ stream, data: bytes.subarray(start, end) })
        return
      }
      if (frameStart) {
        this.assembling = new Uint8Array(this.frameLength)
        this.assembled = 0
      }
      this.assembling!.set(bytes.subarray(start, end), this.assembled)
      this.assembled += end - start
      if (frameEnd) {
        frames.push({ stream, data: this.assembling! })
        this.assembling = null
      }
    })
    return frames
  }

  /** True when the bytes so far end exactly on a frame boundary. */
  get atFrameBoundary(): boolean {
    return this.headerFilled === 0 && this.remaining === 0
  }

  /** Call when the stream ends: a frame cut short means the connection dropped mid-output. */
  finish(): void {
    if (!this.atFrameBoundary) {
      const missing =
        this.remaining === 0
          ? `${HEADER_BYTES - this.headerFilled} header bytes`
          : `${this.remaining} bytes of a ${this.frameLength}-byte frame`
      throw new Error(
        `the multiplexed stream ended in the middle of a frame (${missing} missing after byte ${this.offset})`
      )
    }
  }

  private readHeader(bytes: Uint8Array, at: number): number {
    const kind = bytes[at]!
    // Stream 0 (stdin) only appears when stdin is echoed; Docker's own client prints it as stdout.
    if (kind > 2 || bytes[at + 1] !== 0 || bytes[at + 2] !== 0 || bytes[at + 3] !== 0) {
      const shown = Array.from(bytes.subarray(at, at + HEADER_BYTES), (byte) =>
        byte.toString(16).padStart(2, '0')
      ).join(' ')
      throw new Error(
        `not a Docker multiplexed stream: frame header at byte ${this.offset + at} is ${shown} ` +
          '(is the container a TTY?)'
      )
    }
    this.stream = kind === 2 ? 'stderr' : 'stdout'
    return ((bytes[at + 4]! << 24) >>> 0) + (bytes[at + 5]! << 16) + (bytes[at + 6]! << 8) + bytes[at + 7]!
  }
}

/** Builds one frame as the engine would send it (for tests and for feeding stdin-like data). */
export function encodeFrame(stream: OutputStream | 'stdin', data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + data.length)
  frame[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2
  new DataView(frame.buffer).setUint32(4, data.length, false)
  frame.set(data, HEADER_BYTES)
  return frame
}

export interface LineSplitterOptions {
  /**
   * A line longer than this is emitted in pieces of at most this many bytes (cut on a UTF-8
   * character boundary), so a container that never writes a newline cannot exhaust memory.
   */
  maxLineBytes?: number
}

const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024

/**
 * Turns byte chunks into complete lines. A newline byte never occurs inside a multi-byte UTF-8
 * sequence, so cutting at newlines and decoding whole lines is UTF-8 safe whatever the chunking;
 * the bytes after the last newline are kept until more arrive or the stream ends.
 * "\r\n" and "\n" both end a line; the terminator is not part of the text.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  private readonly maxLineBytes: number
  private pending: Uint8Array[] = []
  private pendingBytes = 0

  constructor(options: LineSplitterOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    if (!(this.maxLineBytes >= 4))
      throw new Error(`maxLineBytes must be at least 4 (one UTF-8 character), not ${this.maxLineBytes}`)
  }

  /** True when no partial line is held. */
  get atLineStart(): boolean {
    return this.pendingBytes === 0
  }

  push(data: Uint8Array): string[] {
    const lines: string[] = []
    let start = 0
    let newline = data.indexOf(NEWLINE)
    while (newline !== -1) {
      if (this.pendingBytes === 0 && newline - start <= this.maxLineBytes) {
        lines.push(this.decode(data, start, newline))
      } else {
        this.hold(data.subarray(start, newline), lines)
        lines.push(this.decodePending())
      }
      start = newline + 1
      newline = data.indexOf(NEWLINE, start)
    }
    if (start < data.length) this.hold(data.subarray(start), lines)
    return lines
  }

  /** The partial last line, if any (the stream ended without a final newline). */
  end(): string | null {
    if (this.pendingBytes === 0) return null
    return this.decodePending()
  }

  private hold(bytes: Uint8Array, lines: string[]): void {
    // Copy: the caller may reuse the chunk's memory once push returns.
    this.pending.push(bytes.slice())
    this.pendingBytes += bytes.length
    while (this.pendingBytes > this.maxLineBytes) lines.push(this.cutOversizedLine())
  }

  private cutOversizedLine(): string {
    const joined = this.joinPending()
    let cut = this.maxLineBytes
    // Back up to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
    while (cut > 0 && (joined[cut]! & 0xc0) === 0x80) cut -= 1
    if (cut === 0) cut = this.maxLineBytes
    const rest = joined.slice(cut)
    this.pending = rest.length > 0 ? [rest] : []
    this.pendingBytes = rest.length
    return this.decoder.decode(joined.subarray(0, cut))
  }

  private decodePending(): string {
    const joined = this.joinPending()
    this.pending = []
    this.pendingBytes = 0
    return this.decode(joined, 0, joined.length)
  }

  private joinPending(): Uint8Array {
    if (this.pending.length === 1) return this.pending[0]!
    const joined = new Uint8Array(this.pendingBytes)
    let at = 0
    for (const piece of this.pending) {
      joined.set(piece, at)
      at += piece.length
    }
    this.pending = [joined]
    return joined
  }

  private decode(bytes: Uint8Array, start: number, end: number): string {
    const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end
    return this.decoder.decode(bytes.subarray(start, stop))
  }
}

export interface DockerTimestamp {
  /** The timestamp as Docker wrote it, e.g. 2025-11-01T12:00:00.123456789Z. */
  timestamp: string
  /** Where the text after the timestamp and its space begins. */
  textStart: number
}

// Docker writes RFC 3339 with nanoseconds ("RFC3339NanoFixed"), always in UTC; other offsets and
// fewer digits are accepted so that an engine formatting differently still parses.
const TIMESTAMP_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /
const LONGEST_PREFIX_BYTES = 36

/** Reads Docker's `timestamps` prefix (RFC 3339 + one space) from the start of a line, or null. */
export function parseDockerTimestamp(line: string): DockerTimestamp | null {
  const match = TIMESTAMP_PREFIX.exec(line.length > LONGEST_PREFIX_BYTES ? line.slice(0, LONGEST_PREFIX_BYTES) : line)
  if (match === null) return null
  return { timestamp: match[1]!, textStart: match[0].length }
}

const latin1 = new TextDecoder('latin1')

/** The same, read from the first bytes of a frame (the prefix is ASCII). */
export function parseDockerTimestampBytes(bytes: Uint8Array): DockerTimestamp | null {
  // Cheap rejection before decoding: "YYYY-" at the start.
  if (bytes.length < 21 || bytes[4] !== 0x2d || bytes[10] !== 0x54) return null
  return parseDockerTimestamp(latin1.decode(bytes.subarray(0, Math.min(bytes.length, LONGEST_PREFIX_BYTES))))
}

export interface LogLineAssemblerOptions extends LineSplitterOptions {
  /** Whether the engine was asked to prefix each message with its timestamp. */
  timestamps: boolean
}

/**
 * Turns a container's log output into lines, per stream. With `timestamps`, Docker prefixes
 * every message, and a long line is stored as several partial messages, each with its own
 * prefix: the prefix of a message that continues an unfinished line is removed, and the line
 * keeps the timestamp of its first part.
 *
 * Framed output (non-TTY) carries one message per frame, so prefixes are found exactly.
 * Raw output (TTY) has no message boundaries: a prefix is only looked for at line starts.
 */
export class LogLineAssembler {
  private readonly splitters: Record<OutputStream, LineSplitter>
  private readonly lineTimestamps: Record<OutputStream, string | null> = { stdout: null, stderr: null }
  // A line is open once a message without a final newline arrived, even an empty one.
  private readonly lineOpen: Record<OutputStream, boolean> = { stdout: false, stderr: false }
  private raw = false

  constructor(private readonly options: LogLineAssemblerOptions) {
    this.splitters = { stdout: new LineSplitter(options), stderr: new LineSplitter(options) }
  }

  /** One frame (= one message) of a non-TTY container; lines are appended to `out`. */
  pushFrame(frame: OutputFrame, out: LogLine[]): void {
    const { stream } = frame
    const splitter = this.splitters[stream]
    if (!this.options.timestamps) {
      for (const text of splitter.push(frame.data)) out.push({ stream, text, timestamp: null })
      return
    }
    const prefix = parseDockerTimestampBytes(frame.data)
    const frameTimestamp = prefix?.timestamp ?? null
    const data = prefix === null ? frame.data : frame.data.subarray(prefix.textStart)
    const firstTimestamp = this.lineOpen[stream] ? this.lineTimestamps[stream] : frameTimestamp
    const texts = splitter.push(data)
    for (let index = 0; index < texts.length; index += 1) {
      out.push({ stream, text: texts[index]!, timestamp: index === 0 ? firstTimestamp : frameTimestamp })
    }
    this.lineTimestamps[stream] = texts.length === 0 ? firstTimestamp : frameTimestamp
    this.lineOpen[stream] =
      data.length === 0 ? this.lineOpen[stream] || prefix !== null : data[data.length - 1] !== NEWLINE
  }

  /** Bytes of a TTY container's raw output (all of it is stdout); lines are appended to `out`. */
  pushRaw(data: Uint8Array, out: LogLine[]): void {
    this.raw = true
    for (const text of this.splitters.stdout.push(data)) out.push(this.rawLine(text))
  }

  /** The unfinished last lines, when the stream ends. */
  end(out: LogLine[]): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = this.splitters[stream].end()
      if (text === null) continue
      if (this.raw) out.push(this.rawLine(text))
      else
        out.push(
          this.options.timestamps
            ? { stream, text, timestamp: this.lineTimestamps[stream] }
            : { stream, text, timestamp: null }
        )
    }
  }

  private rawLine(text: string): LogLine {
    if (!this.options.timestamps) return { stream: 'stdout', text, timestamp: null }
    const prefix = parseDockerTimestamp(text)
    return prefix === null
      ? { stream: 'stdout', text, timestamp: null }
      : { stream: 'stdout', text: text.slice(prefix.textStart), timestamp: prefix.timestamp }
  }
}
