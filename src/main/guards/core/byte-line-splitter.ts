/**
 * Splits a byte stream (a log file read in chunks) into text lines with one UTF-8 decode per
 * chunk: the complete lines of a chunk are decoded as one string and cut with indexOf, so a line
 * costs a slice, not a decoder call. Only the line that straddles two chunks is copied.
 *
 * A newline byte never occurs inside a multi-byte UTF-8 sequence, so cutting bytes at newlines
 * is safe whatever the chunking. "\r\n" and "\n" end a line; a UTF-8 byte order mark at the
 * very start is dropped. A line longer than `maxLineBytes` is cut to that length and the rest
 * of it skipped, so a file without newlines cannot exhaust memory (the cut line then fails to
 * parse and is counted like any malformed line).
 */

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 13

const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

export class ByteLineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  private readonly maxLineBytes: number
  private held: Uint8Array[] = []
  private heldBytes = 0
  /** The held line reached maxLineBytes: what follows up to the next newline is dropped. */
  private skipping = false
  private atStart = true

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!(maxLineBytes >= 4))
      throw new Error(`maxLineBytes must be at least 4 (one UTF-8 character), not ${maxLineBytes}`)
    this.maxLineBytes = maxLineBytes
  }

  /** Appends the lines this chunk completes to `out`. The chunk may be reused once this returns. */
  push(chunk: Uint8Array, out: string[]): void {
    let start = 0
    if (this.atStart && chunk.length > 0) {
      this.atStart = false
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3
    }
    const first = chunk.indexOf(NEWLINE, start)
    if (first === -1) {
      this.hold(chunk, start, chunk.length)
      return
    }
    if (this.heldBytes > 0 || this.skipping) {
      this.hold(chunk, start, first)
      out.push(this.takeHeld())
      start = first + 1
    }
    const last = chunk.lastIndexOf(NEWLINE)
    if (last >= start) this.splitBlock(this.decoder.decode(chunk.subarray(start, last)), out)
    // Lines within a chunk are bounded by the chunk size; only held bytes need the cap.
    if (last + 1 < chunk.length) this.hold(chunk, last + 1, chunk.length)
  }

  /** The last line when the input does not end with a newline. */
  end(out: string[]): void {
    if (this.heldBytes > 0 || this.skipping) out.push(this.takeHeld())
  }

  private splitBlock(text: string, out: string[]): void {
    let lineStart = 0
    for (;;) {
      const newline = text.indexOf('\n', lineStart)
      const lineEnd = newline === -1 ? text.length : newline
      const end = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd
      out.push(text.slice(lineStart, end))
      if (newline === -1) return
      lineStart = newline + 1
    }
  }

  private hold(chunk: Uint8Array, start: number, end: number): void {
    if (this.skipping || end <= start) return
    const room = this.maxLineBytes - this.heldBytes
    if (room <= 0) {
      this.skipping = true
      return
    }
    const take = Math.min(room, end - start)
    // Copy: the reader may reuse the chunk's memory.
    this.held.push(chunk.slice(start, start + take))
    this.heldBytes += take
    if (take < end - start) this.skipping = true
  }

  private takeHeld(): string {
    let bytes: Uint8Array
    if (this.held.length === 1) {
      bytes = this.held[0]!
    } else {
      bytes = new Uint8Array(this.heldBytes)
      let at = 0
      for (const piece of this.held) {
        bytes.set(piece, at)
        at += piece.length
      }
    }
    this.held = []
    this.heldBytes = 0
    this.skipping = false
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length
    return this.decoder.decode(bytes.subarray(0, end))
  }
}
