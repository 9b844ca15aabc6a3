import type { LogLine } from '@shared/log-line'
import { FrameDemuxer, LogLineAssembler } from './docker-log-frames'

/** One chunk of a container's output as bytes (either may be empty). */
export interface LogBytes {
  stdout: Uint8Array
  stderr: Uint8Array
}

/** Turns each chunk of a logs response into one item, or null when the chunk completed none. */
export interface LogChunkDecoder<T> {
  chunk(data: Buffer): T | null
  end(): T | null
}

const EMPTY_BYTES = new Uint8Array(0)

/** Batches of lines, one batch per chunk; a TTY container's output is unframed and read as stdout. */
export function logLineDecoder(tty: boolean, options: { timestamps: boolean }): LogChunkDecoder<LogLine[]> {
  const assembler = new LogLineAssembler({ timestamps: options.timestamps })
  const demuxer = tty ? null : new FrameDemuxer()
  return {
    chunk: (data) => {
      const lines: LogLine[] = []
      if (demuxer === null) assembler.pushRaw(data, lines)
      else for (const frame of demuxer.push(data)) assembler.pushFrame(frame, lines)
      return lines.length > 0 ? lines : null
    },
    end: () => {
      demuxer?.finish()
      const lines: LogLine[] = []
      assembler.end(lines)
      return lines.length > 0 ? lines : null
    }
  }
}

/** The stdout and stderr payloads of each chunk, copied out of the framing without decoding. */
export function logBytesDecoder(tty: boolean): LogChunkDecoder<LogBytes> {
  if (tty) return { chunk: (data) => ({ stdout: data, stderr: EMPTY_BYTES }), end: () => null }
  const demuxer = new FrameDemuxer()
  return {
    chunk: (data) => {
      let stdout: Buffer | null = null
      let stderr: Buffer | null = null
      let stdoutLength = 0
      let stderrLength = 0
      demuxer.scan(data, (stream, bytes, start, end) => {
        if (end === start) return
        // Buffer#copy, not subarray + set: one native call and no view object per frame.
        if (stream === 'stdout') {
          stdout ??= Buffer.allocUnsafe(data.length)
          stdoutLength += (bytes as Buffer).copy(stdout, stdoutLength, start, end)
        } else {
          stderr ??= Buffer.allocUnsafe(data.length)
          stderrLength += (bytes as Buffer).copy(stderr, stderrLength, start, end)
        }
      })
      if (stdout === null && stderr === null) return null
      return {
        stdout: stdout === null ? EMPTY_BYTES : (stdout as Buffer).subarray(0, stdoutLength),
        stderr: stderr === null ? EMPTY_BYTES : (stderr as Buffer).subarray(0, stderrLength)
      }
    },
    end: () => {
      demuxer.finish()
      return null
    }
  }
}
