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
    if (!this.stream.write(data)) {
      await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()))
    }
  }
}
