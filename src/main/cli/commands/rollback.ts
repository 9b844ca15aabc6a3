import { MAX_MIGRATION_VERSION } from '@shared/migration-types'
import type { CliCommand, OptionValues } from '../cli-command'
import { flag, optionalInteger, optionalString, requiredString } from '../cli-values'
import { emergencyLines, fullRollbackLines } from '../runbook-run-lines'
import { runRunbookCommand } from '../runbook-command-frame'
import { killWithoutHistory, printUnrecordedKill } from '../unrecorded-kill-lines'
import { UsageError } from '../usage-error'

const USAGE = [
  'rampart rollback --flag F --reason TEXT [--stop-timeout S] [--env NAME] [--json]',
  '    The emergency rollback: record the intent, disable F in its source, restart the service',
  '    container (env-file source), wait for health, check the verify URLs, capture the last 50',
  '    log lines, and print the time from intent to verified safe.',
  'rampart rollback --full --to VERSION [--image TAG] [--flag F] --reason TEXT --confirm [DBNAME] ' +
    '[--stop-timeout S] [--env NAME] [--json]',
  '    The full rollback with database: disable F (when given), stop the service, back up the',
  '    database, roll its migrations back to VERSION (0: all), run the service from image TAG',
  '    (when given), start it and verify. --confirm alone is the explicit yes; in a protected',
  '    environment the database name must follow it.',
  'Both are recorded runbooks: if one is interrupted, "rampart runbook resume RUN_ID" continues it.',
  'Ctrl-C stops at the next safe point (resumable); a second Ctrl-C stops at once.'
].join('\n')

/** `rampart rollback`: the two rollback procedures of the seed, one command for the on-call engineer. */
export const rollbackCommand: CliCommand = {
  words: ['rollback'],
  summary: 'Emergency rollback (flag off, restart, verify) or, with --full, rollback with database',
  usage: USAGE,
  options: {
    flag: { type: 'string' },
    reason: { type: 'string' },
    full: { type: 'boolean', default: false },
    to: { type: 'string' },
    image: { type: 'string' },
    confirm: { type: 'boolean', default: false },
    'stop-timeout': { type: 'string' }
  },
  positionals: true,
  async run({ values, positionals }, io, runtime) {
    const json = flag(values, 'json')
    const environment = optionalString(values, 'env')
    const stopTimeoutSeconds = optionalInteger(values, 'stop-timeout', 0, 300)
    const common = {
      ...(environment === undefined ? {} : { environment }),
      ...(stopTimeoutSeconds === undefined ? {} : { stopTimeoutSeconds })
    }
    if (!flag(values, 'full')) {
      for (const name of ['to', 'image', 'confirm'] as const) {
        if (values[name] !== undefined && values[name] !== false)
          throw new UsageError(`--${name} belongs to the full rollback: add --full`)
      }
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`)
      const request = { ...common, flag: requiredString(values, 'flag'), reason: requiredString(values, 'reason') }
      try {
        await runRunbookCommand(io, runtime, json, async (services, signal) => {
          const { result, run } = await services.emergencyRollback.run(request, { signal })
          return { result: { ...result, runId: run.id }, lines: emergencyLines(result, run) }
        })
      } catch (error) {
        // Never blocked by the history file: the plain kill path (write, restart, verify), journaled.
        const unrecorded = await killWithoutHistory(error, runtime, {
          ...(environment === undefined ? {} : { environment }),
          flag: request.flag,
          reason: request.reason,
          verifyUrls: true
        })
        await printUnrecordedKill(io, json, unrecorded, 'emergency')
      }
      return
    }
    const toVersion = optionalInteger(values, 'to', 0, MAX_MIGRATION_VERSION)
    if (toVersion === undefined)
      throw new UsageError('--full needs --to VERSION: the database version to roll back to (0: all)')
    const flagName = optionalString(values, 'flag')
    const image = optionalString(values, 'image')
    const request = {
      ...common,
      toVersion,
      reason: requiredString(values, 'reason'),
      ...(flagName === undefined ? {} : { flag: flagName }),
      ...(image === undefined ? {} : { image }),
      ...confirmation(values, positionals)
    }
    await runRunbookCommand(io, runtime, json, async (services, signal) => {
      const { result, run } = await services.fullRollback.run(request, { signal })
      return { result: { ...result, runId: run.id }, lines: fullRollbackLines(result, run) }
    })
  }
}

/** `--confirm` alone is an explicit yes; `--confirm DBNAME` is the typed confirmation protected environments need. */
function confirmation(values: OptionValues, positionals: string[]): { confirm?: boolean; confirmation?: string } {
  const confirmed = flag(values, 'confirm')
  if (positionals.length > 1) throw new UsageError(`--confirm takes one database name, got: ${positionals.join(' ')}`)
  const name = positionals[0]
  if (name !== undefined && !confirmed)
    throw new UsageError(`unexpected argument "${name}"; to confirm with the database name write --confirm ${name}`)
  if (!confirmed) return {}
  return name === undefined ? { confirm: true } : { confirm: true, confirmation: name }
}
