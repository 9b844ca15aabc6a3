import { existsSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { GuardLineBatch } from './core/guard-line-batch'
import type { ReplayWorkerData, SegmentRequest } from './replay-worker'

/**
 * A log file cut into segments at line ends, each read by one of a few worker threads, handed
 * back in file order: the reading and parsing of a replay uses every core while the engine
 * (on the caller's thread) still sees the lines one after the other, as a sequential replay.
 * At most `workers × 2` segments are read ahead of the consumer, so memory stays bounded.
 */

export interface SegmentOptions {
  workers: number
  segmentBytes: number
}

const PROBE_BYTES = 64 * 1024
const NEWLINE = 0x0a

export async function* readSegmentsInWorkers(
  file: FileHandle,
  logPath: string,
  flag: string,
  options: SegmentOptions
): AsyncGenerator<GuardLineBatch> {
  const size = (await file.stat()).size
  const script = workerScript()
  const workerData: ReplayWorkerData = { logPath, flag }
  const workers = Array.from(
    { length: options.workers },
    () => new Worker(script.source, { workerData, eval: script.eval, env: script.env })
  )
  const waiting = new Map<number, { resolve: (batch: GuardLineBatch) => void; reject: (error: Error) => void }>()
  let failure: Error | null = null
  const failAll = (error: Error): void => {
    failure ??= error
    for (const pending of waiting.values()) pending.reject(error)
    waiting.clear()
  }
  for (const worker of workers) {
    worker.on('message', ({ id, batch }: { id: number; batch: GuardLineBatch }) => {
      const pending = waiting.get(id)
      waiting.delete(id)
      pending?.resolve(batch)
    })
    worker.on('error', failAll)
    worker.on('exit', (code) => {
      if (waiting.size > 0) failAll(new Error(`a replay worker stopped (exit code ${code}) before it answered`))
    })
  }

  const requested: Array<Promise<GuardLineBatch>> = []
  let nextStart = 0
  let nextId = 0
  const requestNext = async (): Promise<boolean> => {
    if (nextStart >= size) return false
    const start = nextStart
    const end = await lineEndAfter(file, Math.min(size, start + options.segmentBytes), size)
    nextStart = end
    const request: SegmentRequest = { id: nextId, start, end }
    const worker = workers[nextId % workers.length]!
    nextId += 1
    const answer = new Promise<GuardLineBatch>((resolve, reject) => {
      if (failure !== null) reject(failure)
      else waiting.set(request.id, { resolve, reject })
    })
    // Awaited in order below; one that fails after the consumer stopped must not go unheard.
    answer.catch(() => undefined)
    requested.push(answer)
    worker.postMessage(request)
    return true
  }

  try {
    const ahead = options.workers * 2
    for (let index = 0; index < ahead; index += 1) if (!(await requestNext())) break
    while (requested.length > 0) {
      const batch = await requested.shift()!
      await requestNext()
      yield batch
    }
  } finally {
    for (const worker of workers) void worker.terminate()
  }
}

/** The offset just after the first newline at or after `from` (or the file's end). */
async function lineEndAfter(file: FileHandle, from: number, size: number): Promise<number> {
  const probe = Buffer.allocUnsafe(PROBE_BYTES)
  let at = from
  while (at < size) {
    const { bytesRead } = await file.read(probe, 0, PROBE_BYTES, at)
    if (bytesRead === 0) return size
    const newline = probe.subarray(0, bytesRead).indexOf(NEWLINE)
    if (newline !== -1) return at + newline + 1
    at += bytesRead
  }
  return size
}

/**
 * The worker's script: built beside the bundle (out/main/replay-worker.js, from this folder's
 * bundle or its chunks), or this folder's TypeScript when run from source (tests, the bench).
 */
function workerScript(): { source: string; eval: boolean; env: NodeJS.ProcessEnv } {
  for (const candidate of [join(__dirname, 'replay-worker.js'), join(__dirname, '..', 'replay-worker.js')])
    if (existsSync(candidate)) return { source: candidate, eval: false, env: process.env }
  // From source: tsx's require hook compiles the worker, with the import aliases of tsconfig.node.json.
  const source = join(__dirname, 'replay-worker.ts')
  const tsconfig = join(__dirname, '..', '..', '..', 'tsconfig.node.json')
  return {
    source: `require('tsx/cjs'); require(${JSON.stringify(source)})`,
    eval: true,
    env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? tsconfig }
  }
}
