import type { Writable } from 'node:stream'

/** Where a CLI run reads and writes; tests pass their own. */
export interface CliIo {
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  cwd: string
  /** True when stdout is a terminal (progress and colour are for people only). */
  isTty: boolean
}

const guarded = new WeakSet<Writable>()

/**
 * `rampart … | head -1`: the reader may go away while the CLI still writes. The write then fails
 * with EPIPE, emitted as an 'error' event that, unheard, would end the process with a stack trace
 * and exit 1 — after a kill had done its work. Heard here, the CLI goes on and ends with the exit
 * code of the work itself; what it still prints is dropped (`isClosed`). Any other output error
 * (a full disk under a redirect) is named once on stderr, without a stack.
 */
export function quietWhenOutputCloses(output: Writable, errors: Writable): void {
  if (guarded.has(output)) return
  guarded.add(output)
  let told = false
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || told) return
    told = true
    if (!isClosed(errors)) errors.write(`rampart: cannot write the output: ${error.message}\n`)
  })
  if (!guarded.has(errors)) {
    guarded.add(errors)
    errors.on('error', () => undefined)
  }
}

/** The stream failed or was ended: nothing written to it reaches anyone. */
export function isClosed(stream: Writable): boolean {
  return stream.destroyed || stream.writableEnded
}

/** Resolves once a full stream drained, or failed or closed (a 'drain' that never comes must not hang the CLI). */
function drained(stream: Writable): Promise<void> {
  if (isClosed(stream)) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}

/**
 * Collects output lines into large chunks and respects the stream's backpressure, so printing
 * 100,000 JSON lines neither makes 100,000 writes nor buffers without bound.
 */
export class LineWriter {
  private chunk: string[] = []
  private size = 0

  constructor(
    private readonly stream: Writable,
    private readonly chunkBytes = 64 * 1024
  ) {}

  async line(text: string): Promise<void> {
    this.chunk.push(text, '\n')
    this.size += text.length + 1
    if (this.size >= this.chunkBytes) await this.flush()
  }

  /** Text that carries its own line ends (a report rendered whole or in pieces). */
  async text(chunk: string): Promise<void> {
    this.chunk.push(chunk)
    this.size += chunk.length
    if (this.size >= this.chunkBytes) await this.flush()
  }

  async json(value: unknown): Promise<void> {
    await this.line(JSON.stringify(value))
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const data = this.chunk.join('')
    this.chunk = []
    this.size = 0
    if (isClosed(this.stream)) return
    if (!this.stream.write(data)) await drained(this.stream)
  }
}
