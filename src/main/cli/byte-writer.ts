import type { Writable } from 'node:stream'
import { isClosed } from './cli-io'

/**
 * LineWriter's counterpart for output that is already bytes (container logs passed through):
 * copies small chunks into one buffer of `chunkBytes` and writes it when full, then waits until
 * the stream has taken it before filling it again. So the memory held is that one buffer,
 * whatever the pace of the reader and the writer, and the bytes handed to `write` may be reused
 * by the caller as soon as it returns.
 */
export class ByteWriter {
  private readonly buffer: Buffer
  private size = 0

  constructor(
    private readonly stream: Writable,
    chunkBytes = 64 * 1024
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes)
  }

  async write(bytes: Uint8Array): Promise<void> {
    let at = 0
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, this.buffer.length - this.size)
      this.buffer.set(bytes.subarray(at, at + take), this.size)
      this.size += take
      at += take
      if (this.size === this.buffer.length) await this.flush()
    }
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const data = this.buffer.subarray(0, this.size)
    this.size = 0
    if (isClosed(this.stream)) return
    // The callback comes once the stream is done with `data` (written, or failed: the CLI's
    // output error handler reports that), so the buffer can be filled again.
    await new Promise<void>((resolve) => this.stream.write(data, () => resolve()))
  }
}
