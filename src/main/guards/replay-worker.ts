import { closeSync, openSync, readSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { GuardFieldReader } from './core/guard-field-reader'
import { batchBuffers, readSegment } from './core/guard-line-batch'

/**
 * A replay worker thread (guard-replay-segments.ts): reads the segments of one log file it is
 * sent and answers each with its lines as a GuardLineBatch, in the order asked.
 */

export interface ReplayWorkerData {
  logPath: string
  flag: string
}

export interface SegmentRequest {
  id: number
  start: number
  end: number
}

const { logPath, flag } = workerData as ReplayWorkerData
const reader = new GuardFieldReader(flag)
const fd = openSync(logPath, 'r')
const port = parentPort!
// One buffer for every segment, grown when a segment is larger: a fresh one each time would
// leave the collector hundreds of MiB of outside-the-heap memory to find.
let buffer = Buffer.allocUnsafe(0)

port.on('message', (request: SegmentRequest | null) => {
  if (request === null) {
    closeSync(fd)
    port.close()
    return
  }
  const length = request.end - request.start
  if (buffer.length < length) buffer = Buffer.allocUnsafe(length)
  const bytes = buffer.subarray(0, length)
  let filled = 0
  while (filled < bytes.length) {
    const read = readSync(fd, bytes, filled, bytes.length - filled, request.start + filled)
    if (read === 0) break
    filled += read
  }
  const batch = readSegment(bytes.subarray(0, filled), request.start === 0, reader)
  port.postMessage({ id: request.id, batch }, batchBuffers(batch))
})
