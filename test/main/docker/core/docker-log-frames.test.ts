import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeFrame,
  FrameDemuxer,
  LineSplitter,
  LogLineAssembler,
  parseDockerTimestamp,
  parseDockerTimestampBytes,
  type LogLine,
  type OutputFrame
} from '@main/docker/core/docker-log-frames'

const utf8 = new TextEncoder()

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const joined = new Uint8Array(total)
  let at = 0
  for (const part of parts) {
    joined.set(part, at)
    at += part.length
  }
  return joined
}

/** Cuts `bytes` at the given positions (any order, duplicates allowed) into chunks. */
function cutAt(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((position) => position % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(bytes.slice(start, cut))
    start = cut
  }
  chunks.push(bytes.slice(start))
  return chunks
}

function demuxAll(chunks: Uint8Array[]): OutputFrame[] {
  const demuxer = new FrameDemuxer()
  const frames = chunks.flatMap((chunk) => demuxer.push(chunk))
  demuxer.finish()
  return frames
}

const streamArbitrary = fc.constantFrom('stdin' as const, 'stdout' as const, 'stderr' as const)
const frameArbitrary = fc.record({ stream: streamArbitrary, data: fc.uint8Array({ maxLength: 300 }) })
const cutsArbitrary = fc.array(fc.nat(), { maxLength: 40 })

describe('FrameDemuxer', () => {
  it('returns exactly the frames that were sent, however the byte stream is cut', () => {
    fc.assert(
      fc.property(fc.array(frameArbitrary, { maxLength: 30 }), cutsArbitrary, (frames, cuts) => {
        const wire = concat(frames.map((frame) => encodeFrame(frame.stream, frame.data)))
        const received = demuxAll(cutAt(wire, cuts))
        expect(received.map((frame) => ({ stream: frame.stream, data: Array.from(frame.data) }))).toEqual(
          frames.map((frame) => ({
            stream: frame.stream === 'stderr' ? 'stderr' : 'stdout',
            data: Array.from(frame.data)
          }))
        )
      }),
      { numRuns: 500 }
    )
  })

  it('scan reports payload ranges that rebuild each frame, marking where frames start and end', () => {
    fc.assert(
      fc.property(fc.array(frameArbitrary, { maxLength: 30 }), cutsArbitrary, (frames, cuts) => {
        const wire = concat(frames.map((frame) => encodeFrame(frame.stream, frame.data)))
        const demuxer = new FrameDemuxer()
        const rebuilt: Array<{ stream: string; data: number[] }> = []
        let open: { stream: string; data: number[] } | null = null
        for (const chunk of cutAt(wire, cuts)) {
          demuxer.scan(chunk, (stream, bytes, start, end, frameStart, frameEnd) => {
            expect(frameStart).toBe(open === null)
            open ??= { stream, data: [] }
            open.data.push(...bytes.subarray(start, end))
            if (frameEnd) {
              rebuilt.push(open)
              open = null
            }
          })
        }
        demuxer.finish()
        expect(rebuilt).toEqual(
          frames.map((frame) => ({
            stream: frame.stream === 'stderr' ? 'stderr' : 'stdout',
            data: Array.from(frame.data)
          }))
        )
      }),
      { numRuns: 300 }
    )
  })

  it('survives a stream fed one byte at a time', () => {
    const frames = [
      encodeFrame('stdout', utf8.encode('héllo\n')),
      encodeFrame('stderr', utf8.encode('oops\n')),
      encodeFrame('stdout', new Uint8Array(0))
    ]
    const wire = concat(frames)
    const received = demuxAll(Array.from(wire, (byte) => Uint8Array.of(byte)))
    expect(received.map((frame) => [frame.stream, new TextDecoder().decode(frame.data)])).toEqual([
      ['stdout', 'héllo\n'],
      ['stderr', 'oops\n'],
      ['stdout', '']
    ])
  })

  it('keeps frames that do not straddle chunks as views of the chunk, without copying', () => {
    const chunk = concat([encodeFrame('stdout', utf8.encode('a')), encodeFrame('stderr', utf8.encode('b'))])
    const [first, second] = new FrameDemuxer().push(chunk)
    expect(first!.data.buffer).toBe(chunk.buffer)
    expect(second!.data.buffer).toBe(chunk.buffer)
  })

  it('reads frame lengths above 2^31 as unsigned', () => {
    const header = Uint8Array.of(1, 0, 0, 0, 0x80, 0, 0, 1)
    const demuxer = new FrameDemuxer()
    expect(demuxer.push(header)).toEqual([])
    expect(() => demuxer.finish()).toThrow(/2147483649-byte frame/)
  })

  it('rejects a header whose stream byte is not 0, 1 or 2, naming the byte offset', () => {
    const chunk = concat([encodeFrame('stdout', utf8.encode('ok')), utf8.encode('hello world\n')])
    expect(() => new FrameDemuxer().push(chunk)).toThrow(/frame header at byte 10 is 68 65 6c 6c 6f 20 77 6f.*TTY/)
  })

  it('reports a stream that ends inside a header or a payload', () => {
    const insideHeader = new FrameDemuxer()
    insideHeader.push(Uint8Array.of(1, 0, 0))
    expect(() => insideHeader.finish()).toThrow(/5 header bytes missing/)
    const insidePayload = new FrameDemuxer()
    insidePayload.push(encodeFrame('stdout', utf8.encode('hello')).subarray(0, 10))
    expect(() => insidePayload.finish()).toThrow(/3 bytes of a 5-byte frame missing/)
  })
})

// Lines without terminators; "\r" only inside a line, where it is content.
const lineArbitrary = fc
  .string({
    unit: fc.oneof(fc.constantFrom('a', 'é', '€', '𝄞', '\r', ' ', '"'), fc.string({ unit: 'grapheme', maxLength: 2 })),
    maxLength: 40
  })
  .filter((line) => !line.includes('\n') && !line.endsWith('\r'))

describe('LineSplitter', () => {
  it('returns the original lines, with "\\n" or "\\r\\n" endings, however the bytes are cut (UTF-8 included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(lineArbitrary, fc.constantFrom('\n', '\r\n')), { maxLength: 20 }),
        fc.option(
          lineArbitrary.filter((line) => line !== ''),
          { nil: undefined }
        ),
        cutsArbitrary,
        (terminated, unterminated, cuts) => {
          const text = terminated.map(([line, ending]) => line + ending).join('') + (unterminated ?? '')
          const splitter = new LineSplitter()
          const lines = cutAt(utf8.encode(text), cuts).flatMap((chunk) => splitter.push(chunk))
          const last = splitter.end()
          expect(lines).toEqual(terminated.map(([line]) => line))
          expect(last).toBe(unterminated ?? null)
        }
      ),
      { numRuns: 500 }
    )
  })

  it('keeps a partial line until its newline arrives', () => {
    const splitter = new LineSplitter()
    expect(splitter.push(utf8.encode('first\nsec'))).toEqual(['first'])
    expect(splitter.atLineStart).toBe(false)
    expect(splitter.push(utf8.encode('ond'))).toEqual([])
    expect(splitter.push(utf8.encode('\n'))).toEqual(['second'])
    expect(splitter.atLineStart).toBe(true)
    expect(splitter.end()).toBeNull()
  })

  it('reassembles a multi-byte character cut between chunks', () => {
    const bytes = utf8.encode('€\n')
    const splitter = new LineSplitter()
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([])
    expect(splitter.push(bytes.subarray(1, 2))).toEqual([])
    expect(splitter.push(bytes.subarray(2))).toEqual(['€'])
  })

  it('strips a "\\r" whose "\\n" arrives in the next chunk', () => {
    const splitter = new LineSplitter()
    expect(splitter.push(utf8.encode('windows\r'))).toEqual([])
    expect(splitter.push(utf8.encode('\nnext\n'))).toEqual(['windows', 'next'])
  })

  it('does not keep the chunk it was given: the caller may reuse its memory', () => {
    const chunk = utf8.encode('abc')
    const splitter = new LineSplitter()
    splitter.push(chunk)
    chunk.fill(0x7a)
    expect(splitter.push(utf8.encode('\n'))).toEqual(['abc'])
  })

  it('cuts a line longer than maxLineBytes on character boundaries, losing nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞'), minLength: 1, maxLength: 200 }),
        fc.integer({ min: 4, max: 40 }),
        cutsArbitrary,
        (line, maxLineBytes, cuts) => {
          const splitter = new LineSplitter({ maxLineBytes })
          const pieces = cutAt(utf8.encode(`${line}\n`), cuts).flatMap((chunk) => splitter.push(chunk))
          expect(pieces.join('')).toBe(line)
          for (const piece of pieces) {
            expect(utf8.encode(piece).length).toBeLessThanOrEqual(maxLineBytes)
            expect(piece).not.toContain('\uFFFD')
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('parseDockerTimestamp', () => {
  it("reads Docker's RFC 3339 nanosecond prefix and where the text starts", () => {
    expect(parseDockerTimestamp('2025-11-01T12:00:00.123456789Z {"a":1}')).toEqual({
      timestamp: '2025-11-01T12:00:00.123456789Z',
      textStart: 31
    })
  })

  it('accepts fewer fractional digits and an offset', () => {
    expect(parseDockerTimestamp('2025-11-01T12:00:00+02:00 x')?.timestamp).toBe('2025-11-01T12:00:00+02:00')
    expect(parseDockerTimestamp('2025-11-01T12:00:00.5Z x')?.textStart).toBe(23)
  })

  it('returns null for lines without a prefix, or a timestamp not followed by a space', () => {
    expect(parseDockerTimestamp('hello')).toBeNull()
    expect(parseDockerTimestamp('2025-11-01T12:00:00.123456789Z')).toBeNull()
    expect(parseDockerTimestamp('{"timestamp":"2025-11-01T12:00:00Z"}')).toBeNull()
    expect(parseDockerTimestampBytes(utf8.encode('short'))).toBeNull()
  })

  it('reads the same prefix from bytes', () => {
    expect(parseDockerTimestampBytes(utf8.encode('2025-11-01T12:00:00.000000001Z é'))).toEqual({
      timestamp: '2025-11-01T12:00:00.000000001Z',
      textStart: 31
    })
  })
})

interface Message {
  stream: 'stdout' | 'stderr'
  text: string
  /** How many partial messages Docker stored the line as (it splits at 16 KiB). */
  parts: number
}

function timestampOf(index: number): string {
  return `2025-11-01T12:00:${String(index % 60).padStart(2, '0')}.${String(index).padStart(9, '0')}Z`
}

/** Frames as the engine sends them for `timestamps=1`: every (partial) message carries its own prefix. */
function framesFor(messages: Message[]): { wire: Uint8Array; expected: LogLine[] } {
  const frames: Uint8Array[] = []
  const expected: LogLine[] = []
  let index = 0
  for (const message of messages) {
    const firstTimestamp = timestampOf(index)
    const characters = Array.from(message.text)
    const size = Math.ceil(characters.length / message.parts)
    for (let part = 0; part < message.parts; part += 1) {
      const piece = characters.slice(part * size, (part + 1) * size).join('')
      const last = part === message.parts - 1
      frames.push(encodeFrame(message.stream, utf8.encode(`${timestampOf(index)} ${piece}${last ? '\n' : ''}`)))
      index += 1
    }
    expected.push({ stream: message.stream, text: message.text, timestamp: firstTimestamp })
  }
  return { wire: concat(frames), expected }
}

describe('LogLineAssembler', () => {
  it(
    'joins partial messages into one line with the first part’s timestamp, ' + 'per stream, however the bytes are cut',
    () => {
      const messageArbitrary = fc.record({
        stream: fc.constantFrom('stdout' as const, 'stderr' as const),
        text: lineArbitrary,
        parts: fc.integer({ min: 1, max: 3 })
      })
      fc.assert(
        fc.property(fc.array(messageArbitrary, { maxLength: 15 }), cutsArbitrary, (messages, cuts) => {
          // Docker never interleaves another message of the same stream inside a partial line;
          // the other stream may interleave, which the per-stream state handles.
          const { wire, expected } = framesFor(messages)
          const assembler = new LogLineAssembler({ timestamps: true })
          const demuxer = new FrameDemuxer()
          const lines: LogLine[] = []
          for (const chunk of cutAt(wire, cuts))
            for (const frame of demuxer.push(chunk)) assembler.pushFrame(frame, lines)
          assembler.end(lines)
          expect(lines).toEqual(expected)
        }),
        { numRuns: 300 }
      )
    }
  )

  it('gives each line of a multi-line frame the frame’s timestamp', () => {
    const lines: LogLine[] = []
    const assembler = new LogLineAssembler({ timestamps: true })
    assembler.pushFrame({ stream: 'stdout', data: utf8.encode('2025-11-01T12:00:00.000000000Z one\ntwo\n') }, lines)
    expect(lines).toEqual([
      { stream: 'stdout', text: 'one', timestamp: '2025-11-01T12:00:00.000000000Z' },
      { stream: 'stdout', text: 'two', timestamp: '2025-11-01T12:00:00.000000000Z' }
    ])
  })

  it('passes frame text through untouched without timestamps', () => {
    const lines: LogLine[] = []
    const assembler = new LogLineAssembler({ timestamps: false })
    assembler.pushFrame({ stream: 'stderr', data: utf8.encode('2025-11-01T12:00:00Z looks like a timestamp\n') }, lines)
    expect(lines).toEqual([{ stream: 'stderr', text: '2025-11-01T12:00:00Z looks like a timestamp', timestamp: null }])
  })

  it('reads a TTY container’s raw output as stdout lines, taking the prefix at each line start', () => {
    const lines: LogLine[] = []
    const assembler = new LogLineAssembler({ timestamps: true })
    const raw = utf8.encode('2025-11-01T12:00:00.000000001Z tty line\r\n2025-11-01T12:00:00.000000002Z unfinished')
    for (const chunk of cutAt(raw, [5, 40, 41])) assembler.pushRaw(chunk, lines)
    assembler.end(lines)
    expect(lines).toEqual([
      { stream: 'stdout', text: 'tty line', timestamp: '2025-11-01T12:00:00.000000001Z' },
      { stream: 'stdout', text: 'unfinished', timestamp: '2025-11-01T12:00:00.000000002Z' }
    ])
  })

  it('ends with the unfinished last line of each stream', () => {
    const lines: LogLine[] = []
    const assembler = new LogLineAssembler({ timestamps: false })
    assembler.pushFrame({ stream: 'stdout', data: utf8.encode('no newline') }, lines)
    assembler.pushFrame({ stream: 'stderr', data: utf8.encode('nor here') }, lines)
    expect(lines).toEqual([])
    assembler.end(lines)
    expect(lines).toEqual([
      { stream: 'stdout', text: 'no newline', timestamp: null },
      { stream: 'stderr', text: 'nor here', timestamp: null }
    ])
  })
})
