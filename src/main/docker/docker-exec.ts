import type { Duplex, Readable, Writable } from 'node:stream'
import type Docker from 'dockerode'
import { RampartError } from '@shared/errors'
import { FrameDemuxer } from './core/docker-log-frames'
import { checkContainerRef } from './core/request-arguments'
import { aborted, READ_DEADLINE_MS, WRITE_DEADLINE_MS, type EngineClient } from './engine-client'

const EXEC_EXIT_POLLS = 50
const EXEC_EXIT_POLL_MS = 20

export interface ExecOptions {
  env?: Record<string, string>
  /** Fed to the command's stdin, which is then closed. */
  stdin?: Readable | Uint8Array | string
  /** Receives stdout as it comes (with backpressure) instead of it being collected; not ended here. */
  stdout?: Writable
  user?: string
  workingDir?: string
  signal?: AbortSignal
}

export interface ExecResult {
  exitCode: number
  /** Collected stdout, or '' when it was streamed to `options.stdout`. */
  stdout: string
  stderr: string
  stdoutBytes: number
}

/** Commands run in a running container (`docker exec`), waited for, with their exit code and output. */
export class DockerExec {
  constructor(private readonly client: EngineClient) {}

  async run(name: string, cmd: string[], options: ExecOptions): Promise<ExecResult> {
    checkContainerRef(name)
    if (cmd.length === 0) throw new RampartError('bad_input', `exec in ${name}: the command is empty`)
    const { client } = this
    const what = `run ${cmd[0]} in container ${name}`
    const exec = await client.call(what, WRITE_DEADLINE_MS, (abortSignal) =>
      client.docker.getContainer(name).exec({
        Cmd: cmd,
        Env:
          options.env === undefined ? undefined : Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
        User: options.user,
        WorkingDir: options.workingDir,
        AttachStdin: options.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        abortSignal
      } as Docker.ExecCreateOptions)
    )
    const socket = await client.call(what, null, () =>
      client.dial<Duplex>({
        path: `/exec/${exec.id}/start`,
        method: 'POST',
        isStream: true,
        hijack: true,
        statusCodes: {
          101: true,
          200: true,
          204: true,
          404: 'no such exec',
          409: 'container stopped/paused',
          500: 'server error'
        },
        options: { Detach: false, Tty: false },
        abortSignal: options.signal
      })
    )
    const stop = (): void => {
      socket.destroy()
    }
    options.signal?.addEventListener('abort', stop, { once: true })
    // A sink that fails (a full disk) must stop the read and fail the call: unheard, its 'error'
    // event would end the process, and a write waiting for its 'drain' would wait forever.
    let sinkError: Error | undefined
    const onSinkError = (error: Error): void => {
      sinkError ??= error
      socket.destroy()
    }
    options.stdout?.on('error', onSinkError)
    const stdoutChunks: Uint8Array[] = []
    const stderrChunks: Uint8Array[] = []
    let stdoutBytes = 0
    const feeding = options.stdin === undefined ? Promise.resolve() : feedStdin(socket, options.stdin)
    // Awaited after the output; marked handled now so an early failure is not reported as unhandled.
    feeding.catch(() => undefined)
    try {
      const demuxer = new FrameDemuxer()
      for await (const chunk of socket as AsyncIterable<Uint8Array>) {
        for (const frame of demuxer.push(chunk)) {
          if (frame.stream === 'stderr') {
            stderrChunks.push(frame.data)
          } else {
            stdoutBytes += frame.data.length
            if (options.stdout === undefined) stdoutChunks.push(frame.data)
            else if (!options.stdout.write(frame.data)) await drained(options.stdout)
          }
        }
      }
      demuxer.finish()
      await feeding
      if (sinkError !== undefined) throw sinkError
    } catch (error) {
      if (aborted(options.signal)) throw new RampartError('failed', `${what}: cancelled`)
      if (sinkError !== undefined)
        throw new RampartError('failed', `${what}: its output could not be written: ${sinkError.message}`)
      throw client.translate(error, what)
    } finally {
      options.signal?.removeEventListener('abort', stop)
      options.stdout?.off('error', onSinkError)
      socket.destroy()
    }
    const exitCode = await this.exitCode(exec, what)
    const decoder = new TextDecoder()
    return {
      exitCode,
      stdout: options.stdout === undefined ? decoder.decode(Buffer.concat(stdoutChunks)) : '',
      stderr: decoder.decode(Buffer.concat(stderrChunks)),
      stdoutBytes
    }
  }

  private async exitCode(exec: Docker.Exec, what: string): Promise<number> {
    // The stream can end a moment before the engine records the exit.
    for (let poll = 0; poll < EXEC_EXIT_POLLS; poll += 1) {
      const state = await this.client.call(what, READ_DEADLINE_MS, (abortSignal) =>
        exec.inspect({ abortSignal } as object)
      )
      if (!state.Running && state.ExitCode !== null) return state.ExitCode
      await new Promise((resolve) => setTimeout(resolve, EXEC_EXIT_POLL_MS))
    }
    throw new RampartError('failed', `${what}: the output ended but the engine still reports the command as running`)
  }
}

async function feedStdin(socket: Duplex, stdin: Readable | Uint8Array | string): Promise<void> {
  if (typeof stdin === 'string' || stdin instanceof Uint8Array) {
    socket.end(stdin)
    return
  }
  for await (const chunk of stdin) {
    if (!socket.write(chunk)) await drained(socket)
  }
  // Half-close: the engine then closes the command's stdin, and output keeps flowing back.
  socket.end()
}

function drained(stream: Writable | Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    // Destroyed already: its 'close' has been and will not come again.
    if (stream.destroyed) {
      reject(new Error('the output stream closed before all output was written'))
      return
    }
    const done = (error?: Error): void => {
      stream.off('drain', onDrain)
      stream.off('error', done)
      stream.off('close', onClose)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onDrain = (): void => done()
    const onClose = (): void => done(new Error('the output stream closed before all output was written'))
    stream.once('drain', onDrain)
    stream.once('error', done)
    stream.once('close', onClose)
  })
}
