import type { Services } from '@main/app/app-context'
import type { CliIo } from './cli-io'
import { LineWriter } from './cli-io'
import type { CliRuntime } from './cli-runtime'
import { cancelOnInterrupt } from './operator-interrupt'
import { interruptedNotice } from './runbook-run-lines'
import { printRunbookProgress } from './runbook-progress-printer'

/**
 * The frame of every command that runs a runbook: runs interrupted earlier are shown first,
 * progress is printed while it runs (JSON lines with --json), Ctrl-C asks it to stop at a safe
 * point, and the outcome comes last as text or as `{"event":"result","result":…}`.
 */
export async function runRunbookCommand<T>(
  io: CliIo,
  runtime: CliRuntime,
  json: boolean,
  work: (services: Services, signal: AbortSignal) => Promise<{ result: T; lines: string[] }>,
  options: { showInterrupted?: boolean } = {}
): Promise<void> {
  const services = await runtime.services()
  // A closed pipe (`| head`) ends the output, never the runbook halfway.
  io.stdout.on('error', () => undefined)
  if (options.showInterrupted !== false) await showInterrupted(io, services, json)
  const unsubscribe = services.progress.subscribe(printRunbookProgress(io, json))
  const interrupt = cancelOnInterrupt(io)
  let outcome: { result: T; lines: string[] }
  try {
    outcome = await work(services, interrupt.signal)
  } finally {
    interrupt.dispose()
    unsubscribe()
  }
  if (!io.stdout.writable) return
  const out = new LineWriter(io.stdout)
  if (json) await out.json({ event: 'result', result: outcome.result })
  else for (const line of outcome.lines) await out.line(line)
  await out.flush()
}

/** Text on stderr (the output stays the command's own); with --json one `{"event":"interrupted"}` line. */
export async function showInterrupted(io: CliIo, services: Services, json: boolean): Promise<void> {
  const runs = services.runbooks.listInterrupted()
  if (runs.length === 0) return
  if (json) {
    const out = new LineWriter(io.stdout)
    await out.json({
      event: 'interrupted',
      runs: runs.map((run) => ({
        id: run.id,
        runbook: run.runbook,
        environment: run.environment,
        interruption: run.interruption,
        resumable: run.resumable
      }))
    })
    await out.flush()
  } else {
    io.stderr.write(`${interruptedNotice(runs).join('\n')}\n`)
  }
}
