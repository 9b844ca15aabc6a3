import type { ParsedLogLine, UnparsedLine } from './log-event'
import { parseLogLine, UNPARSED_LINES } from './log-event'
import { parseLogTimestampMs } from './log-timestamp'

/**
 * The fields the guard engine reads (timestamp, event_type, status_code, duration_ms,
 * `flags[flag]`, and user_id when the cohort must be evaluated), read from a log line's UTF-8
 * bytes: no decoding of the line, no object built for it. A replay of a million lines otherwise
 * spends its time decoding, cutting and JSON.parse-ing.
 *
 * The reader walks the bytes once and checks they are JSON as it goes. It handles the shape
 * services write: one object, strings without escapes, plain numbers. Anything else (an escape,
 * a Docker timestamp prefix, a line not starting with `{`, any doubt) is decoded and given to
 * `parseLogLine`, so the result always equals `parseLogLine`'s for what the engine reads
 * (test/main/guards/core/guard-field-reader.test.ts checks that on generated lines).
 *
 * What the engine does not read is left out: the event's endpoint, method, message… are null,
 * `flags` is a shared object holding only `flags[flag]` when that is a boolean, `eventType` of
 * an event other than API_CALL is its text, and `userId` is read only for an API_CALL without
 * a served flag (the only event whose cohort needs it).
 */

const QUOTE = 34
const BACKSLASH = 92
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const COMMA = 44
const COLON = 58
const MINUS = 45
const PLUS = 43
const DOT = 46
const ZERO = 48
const NINE = 57
const LOWER_E = 101
const UPPER_E = 69
const CARRIAGE_RETURN = 13
const UPPER_Z = 90
const LOWER_Z = 122

/** Nesting deeper than this goes to JSON.parse (which handles any depth). */
const MAX_DEPTH = 16
/** As ByteLineSplitter: a longer line is cut to this many bytes (and then does not parse). */
const MAX_LINE_BYTES = 1024 * 1024
/** Integers and decimals of at most this many digits are exact in a double: read without a string. */
const EXACT_DIGITS = 15
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => 10 ** power)

/** What `scan` found: a blank line, an API_CALL, another event, or a line the engine counts as unparsed. */
export const LINE_BLANK = 0
export const LINE_API_CALL = 1
const LINE_OTHER_EVENT = 2
export const LINE_UNPARSED = 3

/** What a value turned out to be (TRUE, FALSE and ABSENT are also `servedFlag`'s values). */
const STRING = 0
const NUMBER = 1
export const TRUE = 2
export const FALSE = 3
const NULL = 4
const OBJECT = 5
const ARRAY = 6
const ABSENT = -1
/** Returned instead of a type: let JSON.parse decide. */
const GIVE_UP = -2

const KEY_TIMESTAMP = bytesOf('timestamp')
const KEY_EVENT_TYPE = bytesOf('event_type')
const KEY_USER_ID = bytesOf('user_id')
const KEY_STATUS_CODE = bytesOf('status_code')
const KEY_DURATION_MS = bytesOf('duration_ms')
const KEY_FLAGS = bytesOf('flags')
const API_CALL = bytesOf('API_CALL')

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** Reads guard fields for one flag: one reader per replay segment's thread. */
export class GuardFieldReader {
  private readonly flagBytes: Uint8Array
  private readonly servedFlags: Readonly<Record<string, unknown>>
  private readonly notServedFlags: Readonly<Record<string, unknown>>
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  private bytes: Uint8Array = new Uint8Array(0)
  private end = 0
  private at = 0
  private numberValue = 0
  // Each field: its value's type and where the value is ([start, end) of a string's contents).
  private timestampType = ABSENT
  private timestampStart = 0
  private timestampEnd = 0
  private eventTypeType = ABSENT
  private eventTypeStart = 0
  private eventTypeEnd = 0
  private userIdType = ABSENT
  private userIdStart = 0
  private userIdEnd = 0
  private statusType = ABSENT
  private status = 0
  private durationType = ABSENT
  private duration = 0
  private flagsType = ABSENT
  /** Within `flags`: TRUE, FALSE or ABSENT (absent or anything but a boolean). */
  private served = ABSENT
  /** The last timestamp's `YYYY-MM-DDTHH:MM:` and its instant (NaN: none yet). */
  private readonly minutePrefix = new Uint8Array(17)
  private minuteMs = NaN

  // The last line scanned (see scan).
  timestampMsOfLine = 0
  eventType = ''
  userId: string | null = null
  statusCode: number | null = null
  durationMs: number | null = null
  /** `flags[flag]`: TRUE, FALSE or ABSENT. */
  servedFlag = ABSENT
  unparsed: UnparsedLine = UNPARSED_LINES.notJson

  constructor(readonly flag: string) {
    this.flagBytes = bytesOf(flag)
    this.servedFlags = Object.freeze({ [flag]: true })
    this.notServedFlags = Object.freeze({ [flag]: false })
  }

  /**
   * The line in bytes [start, end) (without its newline) as ByteLineSplitter and `parseLogLine`
   * would give it to the engine; null for a blank line.
   */
  read(bytes: Uint8Array, start: number, end: number): ParsedLogLine | null {
    const kind = this.scan(bytes, start, end, true)
    if (kind === LINE_BLANK) return null
    if (kind === LINE_UNPARSED) return this.unparsed
    return {
      kind: 'event',
      timestampMs: this.timestampMsOfLine,
      eventType: this.eventType,
      userId: this.userId,
      statusCode: this.statusCode,
      durationMs: this.durationMs,
      endpoint: null,
      method: null,
      flags: this.servedFlag === TRUE ? this.servedFlags : this.servedFlag === FALSE ? this.notServedFlags : null,
      flag: null,
      enabled: null,
      reason: null,
      errorType: null,
      message: null
    }
  }

  /**
   * The same as `read` without building anything: returns the line's kind (LINE_…) and leaves
   * its fields in this reader's public fields, valid until the next call. `eventType` is set
   * for an API_CALL always, for other events only when `wantEventType` (its text is decoded).
   */
  scan(bytes: Uint8Array, start: number, end: number, wantEventType = false): number {
    let lineEnd = end
    if (lineEnd - start > MAX_LINE_BYTES) lineEnd = start + MAX_LINE_BYTES
    if (lineEnd > start && bytes[lineEnd - 1] === CARRIAGE_RETURN) lineEnd -= 1
    if (lineEnd === start) return LINE_BLANK
    if (end - start > MAX_LINE_BYTES || bytes[start] !== OPEN_BRACE) return this.fallback(bytes, start, lineEnd)
    this.bytes = bytes
    this.end = lineEnd
    this.timestampType = ABSENT
    this.eventTypeType = ABSENT
    this.userIdType = ABSENT
    this.statusType = ABSENT
    this.durationType = ABSENT
    this.flagsType = ABSENT
    this.served = ABSENT
    if (!this.readObject(start)) return this.fallback(bytes, start, lineEnd)
    return this.event(bytes, wantEventType)
  }

  private fallback(bytes: Uint8Array, start: number, end: number): number {
    const parsed = parseLogLine(this.decoder.decode(bytes.subarray(start, end)))
    if (parsed.kind === 'unparsed') return this.refuse(parsed)
    const served = parsed.flags === null ? undefined : parsed.flags[this.flag]
    const isApiCall = parsed.eventType === 'API_CALL'
    this.timestampMsOfLine = parsed.timestampMs
    this.eventType = parsed.eventType
    this.servedFlag = served === true ? TRUE : served === false ? FALSE : ABSENT
    this.userId = isApiCall && this.servedFlag === ABSENT ? parsed.userId : null
    this.statusCode = parsed.statusCode
    this.durationMs = parsed.durationMs
    return isApiCall ? LINE_API_CALL : LINE_OTHER_EVENT
  }

  private refuse(line: UnparsedLine): number {
    this.unparsed = line
    return LINE_UNPARSED
  }

  /** The checks of log-event's readEvent, from the positions found. */
  private event(bytes: Uint8Array, wantEventType: boolean): number {
    // Only a line starting with `{` comes here: no Docker timestamp prefix to fall back on.
    if (this.timestampType === ABSENT || this.timestampType === NULL) return this.refuse(UNPARSED_LINES.noTimestamp)
    if (this.timestampType !== STRING) return this.refuse(UNPARSED_LINES.badTimestamp)
    const timestampMs = this.timestampMs()
    if (timestampMs !== timestampMs) return this.refuse(UNPARSED_LINES.badTimestamp)

    if (this.eventTypeType !== STRING || this.eventTypeEnd === this.eventTypeStart)
      return this.refuse(UNPARSED_LINES.noEventType)
    const isApiCall = this.matches(this.eventTypeStart, this.eventTypeEnd, API_CALL)

    const hasStatus = this.statusType === NUMBER && Number.isInteger(this.status)
    const hasDuration = this.durationType === NUMBER && Number.isFinite(this.duration)
    if (isApiCall) {
      if (!hasStatus) return this.refuse(UNPARSED_LINES.noStatusCode)
      if (this.durationType !== NUMBER || !(this.duration >= 0) || this.duration === Infinity)
        return this.refuse(UNPARSED_LINES.noDuration)
    }
    const served = this.flagsType === OBJECT ? this.served : ABSENT
    let userId: string | null = null
    if (isApiCall && served === ABSENT) {
      if (this.userIdType === STRING) {
        if (this.userIdEnd > this.userIdStart)
          userId = this.decoder.decode(bytes.subarray(this.userIdStart, this.userIdEnd))
      } else if (this.userIdType === NUMBER) {
        const value = Number(this.ascii(this.userIdStart, this.userIdEnd))
        if (Number.isFinite(value)) userId = String(value)
      }
    }
    this.timestampMsOfLine = timestampMs
    this.eventType = isApiCall
      ? 'API_CALL'
      : wantEventType
        ? this.decoder.decode(bytes.subarray(this.eventTypeStart, this.eventTypeEnd))
        : ''
    this.userId = userId
    this.statusCode = hasStatus ? this.status : null
    this.durationMs = hasDuration ? this.duration : null
    this.servedFlag = served
    return isApiCall ? LINE_API_CALL : LINE_OTHER_EVENT
  }

  /**
   * Lines of one log share their date, hour and minute: when the first 17 bytes are the last
   * timestamp's, the common forms (seconds, a fraction, `Z`) are read here; anything else is
   * read by parseLogTimestampMs from the text.
   */
  private timestampMs(): number {
    const bytes = this.bytes
    const start = this.timestampStart
    const end = this.timestampEnd
    if (this.minuteMs === this.minuteMs && end - start >= 20 && this.samePrefix(start)) {
      const fast = this.secondsOfMinute(start + 17, end)
      if (fast >= 0) return this.minuteMs + fast
    }
    // Every accepted timestamp character is ASCII: any other byte makes it NaN, as it would the text.
    for (let index = start; index < end; index += 1) if (bytes[index]! >= 0x80) return NaN
    const text = this.ascii(start, end)
    const timestampMs = parseLogTimestampMs(text)
    if (timestampMs === timestampMs && end - start >= 17) {
      this.minuteMs = parseLogTimestampMs(`${text.slice(0, 17)}00Z`)
      this.minutePrefix.set(bytes.subarray(start, start + 17))
    }
    return timestampMs
  }

  private samePrefix(start: number): boolean {
    const bytes = this.bytes
    const prefix = this.minutePrefix
    for (let index = 16; index >= 0; index -= 1) if (bytes[start + index] !== prefix[index]) return false
    return true
  }

  /** `SS`, optionally `.fff…`, then `Z`, `z` or nothing: milliseconds into the minute; -1 for anything else. */
  private secondsOfMinute(at: number, end: number): number {
    const bytes = this.bytes
    const tens = bytes[at]! - ZERO
    const ones = bytes[at + 1]! - ZERO
    if (tens < 0 || tens > 5 || ones < 0 || ones > 9) return -1
    let index = at + 2
    let millis = 0
    const mark = bytes[index]
    if (mark === DOT || mark === COMMA) {
      index += 1
      const fractionStart = index
      while (index < end && isDigit(bytes[index]!)) {
        // Only the first three digits count, cut not rounded (as parseLogTimestampMs).
        if (index - fractionStart < 3) millis = millis * 10 + (bytes[index]! - ZERO)
        index += 1
      }
      const fractionDigits = index - fractionStart
      if (fractionDigits === 0) return -1
      if (fractionDigits === 1) millis *= 100
      else if (fractionDigits === 2) millis *= 10
    }
    // No zone is UTC, as is `Z`.
    if (index !== end) {
      const zone = bytes[index]
      if (index + 1 !== end || (zone !== UPPER_Z && zone !== LOWER_Z)) return -1
    }
    return (tens * 10 + ones) * 1000 + millis
  }

  private ascii(start: number, end: number): string {
    return String.fromCharCode.apply(null, this.bytes.subarray(start, end) as unknown as number[])
  }

  private matches(start: number, end: number, word: Uint8Array): boolean {
    if (end - start !== word.length) return false
    const bytes = this.bytes
    for (let index = 0; index < word.length; index += 1) if (bytes[start + index] !== word[index]) return false
    return true
  }

  /** The whole line: one object, then only whitespace. false: let JSON.parse decide. */
  private readObject(start: number): boolean {
    const bytes = this.bytes
    this.at = start + 1
    this.skipWhitespace()
    if (bytes[this.at] === CLOSE_BRACE) {
      this.at += 1
    } else {
      for (;;) {
        if (bytes[this.at] !== QUOTE) return false
        const keyStart = this.at + 1
        const keyEnd = this.stringEnd(keyStart)
        if (keyEnd === GIVE_UP) return false
        this.at = keyEnd + 1
        this.skipWhitespace()
        if (bytes[this.at] !== COLON) return false
        this.at += 1
        this.skipWhitespace()
        if (!this.field(keyStart, keyEnd)) return false
        this.skipWhitespace()
        const next = bytes[this.at]
        this.at += 1
        if (next === CLOSE_BRACE) break
        if (next !== COMMA) return false
        this.skipWhitespace()
      }
    }
    this.skipWhitespace()
    return this.at === this.end
  }

  /** Reads the value of key [keyStart, keyEnd) and keeps it when the engine needs it. */
  private field(keyStart: number, keyEnd: number): boolean {
    const valueStart = this.at
    // A repeated key: the last one counts, as in JSON.parse.
    if (keyEnd - keyStart === 5 && this.matches(keyStart, keyEnd, KEY_FLAGS)) {
      const type = this.bytes[valueStart] === OPEN_BRACE ? this.flagsObject() : this.value(0)
      if (type === GIVE_UP) return false
      this.flagsType = type
      if (type !== OBJECT) this.served = ABSENT
      return true
    }
    const type = this.value(0)
    if (type === GIVE_UP) return false
    // By length first: most keys are none of these.
    const length = keyEnd - keyStart
    if (length === 9 && this.matches(keyStart, keyEnd, KEY_TIMESTAMP)) {
      this.timestampType = type
      this.timestampStart = valueStart + 1
      this.timestampEnd = this.at - 1
    } else if (length === 10 && this.matches(keyStart, keyEnd, KEY_EVENT_TYPE)) {
      this.eventTypeType = type
      this.eventTypeStart = valueStart + 1
      this.eventTypeEnd = this.at - 1
    } else if (length === 7 && this.matches(keyStart, keyEnd, KEY_USER_ID)) {
      this.userIdType = type
      // A string's quotes are not part of the id; a number is read from its text.
      this.userIdStart = type === STRING ? valueStart + 1 : valueStart
      this.userIdEnd = type === STRING ? this.at - 1 : this.at
    } else if (length === 11) {
      if (this.matches(keyStart, keyEnd, KEY_STATUS_CODE)) {
        this.statusType = type
        this.status = this.numberValue
      } else if (this.matches(keyStart, keyEnd, KEY_DURATION_MS)) {
        this.durationType = type
        this.duration = this.numberValue
      }
    }
    return true
  }

  /** `flags`: an object whose key `flag` is looked for; other values are checked and skipped. */
  private flagsObject(): number {
    const bytes = this.bytes
    let served = ABSENT
    this.at += 1
    this.skipWhitespace()
    if (bytes[this.at] === CLOSE_BRACE) {
      this.at += 1
      this.served = ABSENT
      return OBJECT
    }
    for (;;) {
      if (bytes[this.at] !== QUOTE) return GIVE_UP
      const keyStart = this.at + 1
      const keyEnd = this.stringEnd(keyStart)
      if (keyEnd === GIVE_UP) return GIVE_UP
      this.at = keyEnd + 1
      this.skipWhitespace()
      if (bytes[this.at] !== COLON) return GIVE_UP
      this.at += 1
      this.skipWhitespace()
      const type = this.value(1)
      if (type === GIVE_UP) return GIVE_UP
      if (this.matches(keyStart, keyEnd, this.flagBytes)) served = type === TRUE || type === FALSE ? type : ABSENT
      this.skipWhitespace()
      const next = bytes[this.at]
      this.at += 1
      if (next === CLOSE_BRACE) break
      if (next !== COMMA) return GIVE_UP
      this.skipWhitespace()
    }
    this.served = served
    return OBJECT
  }

  /** Any JSON value at `at`, checked and skipped; a number leaves its value in numberValue. */
  private value(depth: number): number {
    const bytes = this.bytes
    const code = bytes[this.at]!
    if (code === QUOTE) {
      const end = this.stringEnd(this.at + 1)
      if (end === GIVE_UP) return GIVE_UP
      this.at = end + 1
      return STRING
    }
    if (code === MINUS || (code >= ZERO && code <= NINE)) return this.number()
    if (code === 116) return this.literal(114, 117, 101, TRUE)
    if (code === 110) return this.literal(117, 108, 108, NULL)
    if (code === 102) {
      const at = this.at
      if (bytes[at + 1] !== 97 || bytes[at + 2] !== 108 || bytes[at + 3] !== 115 || bytes[at + 4] !== 101)
        return GIVE_UP
      this.at = at + 5
      return FALSE
    }
    if (depth >= MAX_DEPTH) return GIVE_UP
    if (code === OPEN_BRACE) return this.container(depth, CLOSE_BRACE, true)
    if (code === OPEN_BRACKET) return this.container(depth, CLOSE_BRACKET, false)
    return GIVE_UP
  }

  private container(depth: number, close: number, keyed: boolean): number {
    const bytes = this.bytes
    this.at += 1
    this.skipWhitespace()
    if (bytes[this.at] === close) {
      this.at += 1
      return keyed ? OBJECT : ARRAY
    }
    for (;;) {
      if (keyed) {
        if (bytes[this.at] !== QUOTE) return GIVE_UP
        const keyEnd = this.stringEnd(this.at + 1)
        if (keyEnd === GIVE_UP) return GIVE_UP
        this.at = keyEnd + 1
        this.skipWhitespace()
        if (bytes[this.at] !== COLON) return GIVE_UP
        this.at += 1
        this.skipWhitespace()
      }
      if (this.value(depth + 1) === GIVE_UP) return GIVE_UP
      this.skipWhitespace()
      const next = bytes[this.at]
      this.at += 1
      if (next === close) return keyed ? OBJECT : ARRAY
      if (next !== COMMA) return GIVE_UP
      this.skipWhitespace()
    }
  }

  /** The closing quote's index for a string starting at `start`; an escape or control character gives up. */
  private stringEnd(start: number): number {
    const bytes = this.bytes
    const end = this.end
    for (let index = start; index < end; index += 1) {
      const code = bytes[index]!
      if (code === QUOTE) return index
      if (code === BACKSLASH || code < 32) return GIVE_UP
    }
    return GIVE_UP
  }

  /** A JSON number (checked against the grammar), its value in numberValue. */
  private number(): number {
    const bytes = this.bytes
    const start = this.at
    let index = start
    const negative = bytes[index] === MINUS
    if (negative) index += 1
    let digits = 0
    let mantissa = 0
    const first = bytes[index]!
    if (first === ZERO) {
      index += 1
    } else if (first > ZERO && first <= NINE) {
      while (isDigit(bytes[index]!)) {
        mantissa = mantissa * 10 + (bytes[index]! - ZERO)
        digits += 1
        index += 1
      }
    } else {
      return GIVE_UP
    }
    let fractionDigits = 0
    if (bytes[index] === DOT) {
      index += 1
      if (!isDigit(bytes[index]!)) return GIVE_UP
      while (isDigit(bytes[index]!)) {
        mantissa = mantissa * 10 + (bytes[index]! - ZERO)
        fractionDigits += 1
        index += 1
      }
    }
    const exponent = bytes[index]
    let exact = digits + fractionDigits <= EXACT_DIGITS
    if (exponent === LOWER_E || exponent === UPPER_E) {
      index += 1
      const sign = bytes[index]
      if (sign === PLUS || sign === MINUS) index += 1
      if (!isDigit(bytes[index]!)) return GIVE_UP
      while (isDigit(bytes[index]!)) index += 1
      exact = false
    }
    // Both exact in a double, so the one division rounds as reading the decimal text does.
    if (exact) {
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits]!
      this.numberValue = negative ? -magnitude : magnitude
    } else {
      this.numberValue = Number(this.ascii(start, index))
    }
    this.at = index
    return NUMBER
  }

  /** The three letters after the first of true and null. */
  private literal(second: number, third: number, fourth: number, type: number): number {
    const bytes = this.bytes
    const at = this.at
    if (bytes[at + 1] !== second || bytes[at + 2] !== third || bytes[at + 3] !== fourth) return GIVE_UP
    this.at = at + 4
    return type
  }

  /** Up to the line's end: the bytes after it (its carriage return, the next line) are not its own. */
  private skipWhitespace(): void {
    const bytes = this.bytes
    const end = this.end
    let index = this.at
    while (index < end) {
      const code = bytes[index]
      // JSON whitespace: space, tab, line feed, carriage return.
      if (code === 32 || code === 9 || code === 10 || code === 13) index += 1
      else break
    }
    this.at = index
  }
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE
}
