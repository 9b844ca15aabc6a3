/**
 * WebSocket frames as bytes (RFC 6455 section 5.2), for tests that write hostile frames to a
 * server by hand and read what it answers.
 */
import { randomBytes } from 'node:crypto'

export interface FrameOptions {
  opcode: number
  payload?: Buffer
  fin?: boolean
  rsv1?: boolean
  masked?: boolean
  /** Claimed in the header instead of the payload's real length (the payload itself is not sent in full). */
  claimedLength?: bigint
}

/** One client frame, built byte by byte (RFC 6455 section 5.2). */
export function frame(options: FrameOptions): Buffer {
  const payload = options.payload ?? Buffer.alloc(0)
  const masked = options.masked ?? true
  const first = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 === true ? 0x40 : 0) | options.opcode
  const length = options.claimedLength ?? BigInt(payload.length)
  let header: Buffer
  if (length < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)])
  else if (length < 65_536n) {
    header = Buffer.alloc(4)
    header.writeUInt16BE(Number(length), 2)
    header[1] = (masked ? 0x80 : 0) | 126
  } else {
    header = Buffer.alloc(10)
    header.writeBigUInt64BE(length, 2)
    header[1] = (masked ? 0x80 : 0) | 127
  }
  header[0] = first
  if (!masked) return Buffer.concat([header, payload])
  const mask = randomBytes(4)
  const body = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!))
  return Buffer.concat([header, mask, body])
}

/** The close code of the close frame the server sent (server frames are not masked). */
export function closeCode(bytes: Buffer): number | null {
  if (bytes.length < 4 || (bytes[0]! & 0x0f) !== 0x8) return null
  return bytes.readUInt16BE(2)
}
