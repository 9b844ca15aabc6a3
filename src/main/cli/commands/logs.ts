import type { LogLine } from '@shared/log-line'
import type { LogBytes } from '@main/docker/core/log-chunk-decoders'
import { ByteWriter } from '../byte-writer'
import { LineWriter, type CliIo } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'
import { UsageError } from '../usage-error'

export const logsCommand: CliCommand = {
  words: ['logs'],
  summary: "Show a container's logs (follow, tail, since, grep, event type)",
  usage: [
    'rampart logs CONTAINER [--follow] [--since T] [--tail N|all] [--grep TEXT|/REGEX/] [--event-type T[,T…]] ' +
      '[--timestamps] [--env NAME] [--json]',
    '  --since   an ISO 8601 instant (2025-11-01T12:00:00Z), Unix seconds, or a duration back from now (10m, 1h30m)',
    '  --grep    a substring, or a regular expression as /pattern/flags (flags i, m, s, u)',
    '  --event-type  keeps JSON lines whose event_type is one of those given (API_CALL,ERROR); drops other lines',
    '  --json    one object per line: {"container","stream","timestamp","text"}',
    "The Docker engine is the environment's docker.host, else DOCKER_HOST, else the default socket."
  ].join('\n'),
  options: {
    follow: { type: 'boolean', short: 'f', default: false },
    since: { type: 'string' },
    tail: { type: 'string', short: 'n' },
    grep: { type: 'string' },
    'event-type': { type: 'string' },
    timestamps: { type: 'boolean', short: 't', default: false }
  },
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const container = positionals[0]
    if (container === undefined)
      throw new UsageError('logs needs a container name, e.g. "rampart logs ops-center-direct"')
    if (positionals.length > 1)
      throw new UsageError(`logs takes one container, got ${positionals.length}: ${positionals.join(' ')}`)
    const json = flag(values, 'json')
    const timestamps = flag(values, 'timestamps')
    const follow = flag(values, 'follow')
    const grep = optionalString(values, 'grep')
    const eventType = optionalString(values, 'event-type')
    const request = {
      environment: optionalString(values, 'env'),
      container,
      follow,
      // "all" as docker logs takes it: the same as no --tail.
      tail: values.tail === 'all' ? undefined : optionalInteger(values, 'tail', 0, 100_000_000),
      since: optionalString(values, 'since')
    }
    const logs = await runtime.logs()
    // A closed pipe (`rampart logs … | head`) ends the read instead of leaving the engine stream open.
    const abort = new AbortController()
    const onOutputError = (): void => abort.abort()
    io.stdout.on('error', onOutputError)
    try {
      if (!json && !timestamps && grep === undefined && eventType === undefined) {
        // Nothing to look at in the lines: pass the bytes through, as docker logs does.
        await copyBytes(logs.readBytes({ ...request, signal: abort.signal }), io, follow)
        return
      }
      const lineRequest = {
        ...request,
        grep,
        eventType,
        // JSON output always carries the timestamp; text output only when asked.
        timestamps: timestamps || json,
        signal: abort.signal
      }
      // Following goes on across an engine restart, with a notice of the gap (a "rampart" line).
      const batches = follow ? logs.follow(lineRequest) : logs.read(lineRequest)
      if (json) await writeJson(batches, container, io, follow)
      else await writeText(batches, io, follow)
    } finally {
      io.stdout.off('error', onOutputError)
    }
  }
}

async function copyBytes(chunks: AsyncIterable<LogBytes>, io: CliIo, follow: boolean): Promise<void> {
  const out = new ByteWriter(io.stdout)
  const err = new ByteWriter(io.stderr)
  for await (const chunk of chunks) {
    await out.write(chunk.stdout)
    await err.write(chunk.stderr)
    // Following: show each chunk as it comes rather than when 64 KiB have gathered.
    if (follow) await Promise.all([out.flush(), err.flush()])
  }
  await Promise.all([out.flush(), err.flush()])
}

async function writeJson(
  batches: AsyncIterable<LogLine[]>,
  container: string,
  io: CliIo,
  follow: boolean
): Promise<void> {
  const out = new LineWriter(io.stdout)
  const containerJson = JSON.stringify(container)
  for await (const batch of batches) {
    // One block per batch, not one call per line: at 500,000 lines the per-line awaits cost
    // more than the work. LineWriter adds the final newline.
    await out.line(batch.map((line) => jsonLine(containerJson, line)).join('\n'))
    if (follow) await out.flush()
  }
  await out.flush()
}

/** Like `docker logs`: the container's stdout to stdout, its stderr to stderr; order is kept within each. */
async function writeText(batches: AsyncIterable<LogLine[]>, io: CliIo, follow: boolean): Promise<void> {
  const out = new LineWriter(io.stdout)
  const err = new LineWriter(io.stderr)
  for await (const batch of batches) {
    const stdout: string[] = []
    const stderr: string[] = []
    for (const line of batch) {
      if (line.stream === 'rampart') stderr.push(`rampart: ${line.text}`)
      else
        (line.stream === 'stderr' ? stderr : stdout).push(
          line.timestamp === null ? line.text : `${line.timestamp} ${line.text}`
        )
    }
    if (stdout.length > 0) await out.line(stdout.join('\n'))
    if (stderr.length > 0) await err.line(stderr.join('\n'))
    if (follow) await Promise.all([out.flush(), err.flush()])
  }
  await Promise.all([out.flush(), err.flush()])
}

// The timestamp is inlined: parseDockerTimestamp only admits digits, "-", ":", ".", "T", "Z" and "+".
function jsonLine(containerJson: string, line: LogLine): string {
  const timestamp = line.timestamp === null ? 'null' : `"${line.timestamp}"`
  return (
    `{"container":${containerJson},"stream":"${line.stream}",` +
    `"timestamp":${timestamp},"text":${JSON.stringify(line.text)}}`
  )
}
