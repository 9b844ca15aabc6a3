import type { Readable } from 'node:stream'
import type { LogLine } from '@shared/log-line'
import { RampartError } from '@shared/errors'
import { logBytesDecoder, logLineDecoder, type LogBytes, type LogChunkDecoder } from './core/log-chunk-decoders'
import { checkContainerRef } from './core/request-arguments'
import type { DockerContainers } from './docker-containers'
import { aborted, type EngineClient } from './engine-client'

export interface LogOptions {
  follow?: boolean
  /** Lines from the end; all when omitted. */
  tail?: number
  since?: Date
  timestamps?: boolean
  /** Stops the stream and closes its connection; the iteration then simply ends. */
  signal?: AbortSignal
}

/**
 * A container's output (`docker logs`), pulled by the consumer: while it does not ask for the
 * next item, the socket is paused and the engine waits.
 */
export class DockerLogs {
  constructor(
    private readonly client: EngineClient,
    private readonly containers: DockerContainers
  ) {}

  lines(name: string, options: LogOptions): AsyncGenerator<LogLine[], void, undefined> {
    return this.stream(name, options, (tty) => logLineDecoder(tty, { timestamps: options.timestamps === true }))
  }

  bytes(name: string, options: LogOptions): AsyncGenerator<LogBytes, void, undefined> {
    return this.stream(name, options, logBytesDecoder)
  }

  /** Opens the logs request and turns each chunk into a `T` with the decoder chosen for TTY or framed output. */
  private async *stream<T>(
    name: string,
    options: LogOptions,
    decoderFor: (tty: boolean) => LogChunkDecoder<T>
  ): AsyncGenerator<T, void, undefined> {
    checkContainerRef(name)
    if (options.tail !== undefined && !(Number.isInteger(options.tail) && options.tail >= 0)) {
      throw new RampartError('bad_input', `tail ${options.tail} is not a whole number of lines`)
    }
    const info = await this.containers.inspect(name)
    if (info === null) throw this.client.noSuchContainer(name)
    if (aborted(options.signal)) return
    const query: Record<string, unknown> = {
      stdout: true,
      stderr: true,
      follow: options.follow === true,
      timestamps: options.timestamps === true
    }
    if (options.tail !== undefined) query.tail = options.tail
    if (options.since !== undefined) query.since = (options.since.getTime() / 1000).toFixed(3)
    let response: Readable
    try {
      response = await this.client.dial<Readable>({
        path: `/containers/${info.id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: query,
        abortSignal: options.signal
      })
    } catch (error) {
      if (aborted(options.signal)) return
      throw this.client.translate(error, `read the logs of ${name}`)
    }
    const stop = (): void => {
      response.destroy()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    const decoder = decoderFor(info.tty)
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        const item = decoder.chunk(chunk)
        if (item !== null) yield item
      }
      const last = decoder.end()
      if (last !== null) yield last
    } catch (error) {
      if (aborted(options.signal)) return
      throw this.client.translate(error, `read the logs of ${name}`)
    } finally {
      options.signal?.removeEventListener('abort', stop)
      response.destroy()
    }
  }
}
