import type { Writable } from 'node:stream'
import { drained, isClosed } from './cli-io'

/**
 * LineWriter's counterpart for output that is already bytes (container logs passed through):
 * gathers small chunks into large writes and waits for 'drain' when the stream is full.
 */
export class ByteWriter {
  private parts: Uint8Array[] = []
  private size = 0

  constructor(
    private readonly stream: Writable,
    private readonly chunkBytes = 64 * 1024
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return
    this.parts.push(bytes)
    this.size += bytes.length
    if (this.size >= this.chunkBytes) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    if (isClosed(this.stream)) return
    if (!this.stream.write(data)) await drained(this.stream)
  }
}
