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

/**
 * The stdout and stderr payloads of each chunk, copied out of the framing without decoding.
 * The two output buffers are reused from chunk to chunk (an item's bytes are valid until the
 * next item is asked for): half a million lines would otherwise leave tens of MiB of buffers
 * for the collector to find, and the process's peak memory would follow the collector.
 */
export function logBytesDecoder(tty: boolean): LogChunkDecoder<LogBytes> {
  if (tty) return { chunk: (data) => ({ stdout: data, stderr: EMPTY_BYTES }), end: () => null }
  const demuxer = new FrameDemuxer()
  let stdoutBuffer = Buffer.alloc(0)
  let stderrBuffer = Buffer.alloc(0)
  return {
    chunk: (data) => {
      if (stdoutBuffer.length < data.length) stdoutBuffer = Buffer.allocUnsafe(Math.max(data.length, 64 * 1024))
      let stdoutLength = 0
      let stderrLength = 0
      let anyStderr = false
      demuxer.scan(data, (stream, bytes, start, end) => {
        if (end === start) return
        // Buffer#copy, not subarray + set: one native call and no view object per frame.
        if (stream === 'stdout') {
          stdoutLength += (bytes as Buffer).copy(stdoutBuffer, stdoutLength, start, end)
        } else {
          if (!anyStderr && stderrBuffer.length < data.length)
            stderrBuffer = Buffer.allocUnsafe(Math.max(data.length, 64 * 1024))
          anyStderr = true
          stderrLength += (bytes as Buffer).copy(stderrBuffer, stderrLength, start, end)
        }
      })
      if (stdoutLength === 0 && stderrLength === 0) return null
      return {
        stdout: stdoutLength === 0 ? EMPTY_BYTES : stdoutBuffer.subarray(0, stdoutLength),
        stderr: stderrLength === 0 ? EMPTY_BYTES : stderrBuffer.subarray(0, stderrLength)
      }
    },
    end: () => {
      demuxer.finish()
      return null
    }
  }
}
