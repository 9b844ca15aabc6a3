import type { RawData, WebSocket } from 'ws'
import type { Handlers, StreamProducers } from './contract-dispatch'
import { serveContract } from './contract-server'

/** Close code for a message that is not a ClientMessage (RFC 6455 "policy violation"). */
const POLICY_VIOLATION = 1008

/**
 * Serves the contract on one authenticated WebSocket: each text frame is one JSON message of the
 * wire protocol. Streams close with the socket.
 */
export function bindWebSocket(socket: WebSocket, handlers: Handlers, producers: StreamProducers): void {
  // A malformed frame (too big, invalid UTF-8, a protocol violation) makes ws close this socket
  // with the matching code (1009, 1007, 1002) and then emit 'error'; without a listener that
  // error would end the whole process, every other page and running runbook with it.
  socket.on('error', () => undefined)
  serveContract(
    {
      send: (message) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
      },
      onMessage: (listener) => {
        // A binary frame or broken JSON decodes to undefined, which no envelope matches.
        const onFrame = (data: RawData, isBinary: boolean): void => listener(isBinary ? undefined : parseJson(data))
        socket.on('message', onFrame)
        return () => socket.off('message', onFrame)
      },
      onClose: (listener) => {
        socket.on('close', listener)
      },
      close: (reason) => socket.close(POLICY_VIOLATION, reason)
    },
    { handlers, producers, transport: 'websocket' }
  )
}

function parseJson(data: RawData): unknown {
  try {
    return JSON.parse(rawText(data)) as unknown
  } catch {
    return undefined
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
