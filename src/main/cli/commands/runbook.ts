import { RUNBOOK_RUN_STATUSES, type RunbookRunStatus } from '@shared/runbook-types'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'
import { finishedRunLines, runLine } from '../runbook-run-lines'
import { runRunbookCommand, showInterrupted } from '../runbook-command-frame'
import { UsageError } from '../usage-error'

const runbookListCommand: CliCommand = {
  words: ['runbook', 'list'],
  summary: 'Recorded runbook runs, newest first (--interrupted: those whose process is gone)',
  usage: `rampart runbook list [--interrupted] [--status ${RUNBOOK_RUN_STATUSES.join('|')}] [--limit N] [--json]
    --interrupted  only runs recorded as running whose process is gone; resume or cancel them`,
  options: { interrupted: { type: 'boolean', default: false }, status: { type: 'string' }, limit: { type: 'string' } },
  async run({ values }, io, runtime) {
    const services = await runtime.services()
    const json = flag(values, 'json')
    const limit = optionalInteger(values, 'limit', 1, 1000)
    const status = optionalString(values, 'status')
    if (status !== undefined && !(RUNBOOK_RUN_STATUSES as readonly string[]).includes(status))
      throw new UsageError(`--status ${status} is not one of ${RUNBOOK_RUN_STATUSES.join(', ')}`)
    const out = new LineWriter(io.stdout)
    if (flag(values, 'interrupted')) {
      const runs = services.runbooks.listInterrupted().slice(0, limit ?? 1000)
      for (const run of runs) {
        if (json) await out.json(run)
        else await out.line(`${runLine(run, run.interruption)}${run.resumable ? '' : '  (not resumable: cancel it)'}`)
      }
      if (!json && runs.length === 0) await out.line('no interrupted runbook runs')
    } else {
      await showInterrupted(io, services, json)
      const runs = services.store.runbooks.list({
        ...(status === undefined ? {} : { status: status as RunbookRunStatus }),
        limit: limit ?? 20
      })
      for (const run of runs) {
        if (json) await out.json(run)
        else await out.line(runLine(run))
      }
    }
    await out.flush()
  }
}

const runbookResumeCommand: CliCommand = {
  words: ['runbook', 'resume'],
  summary: 'Continue an interrupted, failed or cancelled run from the step that did not finish',
  usage:
    'rampart runbook resume RUN_ID [--json]\n' +
    '    The step that was running when the run was interrupted runs again (steps are written to be safe to repeat).',
  options: {},
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const runId = runIdArgument(positionals, 'resume')
    await runRunbookCommand(
      io,
      runtime,
      flag(values, 'json'),
      async (services, signal) => {
        const run = await services.runbooks.resume(runId, { signal })
        return { result: run, lines: finishedRunLines(run) }
      },
      { showInterrupted: false }
    )
  }
}

const runbookCancelCommand: CliCommand = {
  words: ['runbook', 'cancel'],
  summary: 'Cancel a run: an interrupted one at once, a running one at its next safe point',
  usage: 'rampart runbook cancel RUN_ID [--reason TEXT] [--json]\n    A cancelled run can still be resumed later.',
  options: { reason: { type: 'string' } },
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const runId = runIdArgument(positionals, 'cancel')
    const reason = optionalString(values, 'reason')
    const result = (await runtime.services()).runbooks.cancel(runId, reason === undefined ? {} : { reason })
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) await out.json(result)
    else await out.line(result.message)
    await out.flush()
  }
}

export const runbookCommands: CliCommand[] = [runbookListCommand, runbookResumeCommand, runbookCancelCommand]

function runIdArgument(positionals: string[], verb: string): number {
  const text = positionals[0]
  if (positionals.length !== 1 || text === undefined || !/^[1-9]\d{0,14}$/.test(text)) {
    throw new UsageError(
      `runbook ${verb} needs one run number, e.g. "rampart runbook ${verb} 12" ` +
        '(see "rampart runbook list --interrupted")'
    )
  }
  return Number(text)
}
