import { RampartError } from '@shared/errors'
import type { GuardWindowRecord } from '@shared/history-types'
import type { RolloutWatchNotice } from '@shared/rollout-watch-types'
import type { GuardWindowFigures } from '@main/guards/guard-watcher'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString, requiredString } from '../cli-values'
import { GUARD_TABLE_HEADER } from '../guard-window-text'

export const rolloutWatchCommand: CliCommand = {
  words: ['rollout', 'watch'],
  summary: "Watch a rollout's guards live and take the environment's action on a trip",
  usage: [
    'rampart rollout watch --flag F [--env NAME] [--windows N] [--json]',
    "  Judges the service's log window by window with the environment's guard settings, stores every",
    "  window in history, and on a trip takes the environment's action as `rampart`: rollback (to 0 %),",
    '  kill (the emergency rollback) or alert (recorded only). Follows the service across restarts.',
    '  --windows N  stop after N decided windows (default: until Ctrl-C or SIGTERM)',
    '  --json       one JSON object per line: {"kind":"watching"|"window"|"followed"|"action"|"stopped", ...}',
    'Exits 0 when stopped (Ctrl-C, SIGTERM, --windows); 1 when the service stopped for good or cannot be watched.'
  ].join('\n'),
  options: { flag: { type: 'string' }, windows: { type: 'string' } },
  async run({ values }, io, runtime) {
    const flagName = requiredString(values, 'flag')
    const windows = optionalInteger(values, 'windows', 1, 1_000_000)
    const json = flag(values, 'json')
    const services = await runtime.services()
    const out = new LineWriter(io.stdout)
    const stop = new AbortController()
    const onSignal = (): void => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    io.stdout.on('error', onSignal)
    try {
      const summary = await services.rolloutOrchestrator.watch(
        { environment: optionalString(values, 'env'), flag: flagName, ...(windows === undefined ? {} : { windows }) },
        async (notice) => {
          if (json) await out.json(notice)
          else for (const line of describeNotice(notice)) await out.line(line)
          await out.flush()
        },
        stop.signal
      )
      if (summary.reason === 'ended') {
        throw new RampartError(
          'failed',
          `the service's log ended and the container did not run again: the guards of ${flagName} are no longer watched`
        )
      }
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      io.stdout.off('error', onSignal)
    }
  }
}

function describeNotice(notice: RolloutWatchNotice): string[] {
  switch (notice.kind) {
    case 'watching': {
      const { settings } = notice
      return [
        `watching ${notice.flag} [${notice.environment}] from ${notice.origin}: ` +
          `${settings.window_seconds} s windows, decided ${settings.lateness_seconds} s after they end; ` +
          `min ${settings.min_requests} treatment requests, max error rate ${settings.max_error_rate}, ` +
          `trip after ${settings.breach_windows} breaches; on a trip: ${settings.action}`,
        GUARD_TABLE_HEADER
      ]
    }
    case 'window':
      return [windowRow(notice.window)]
    case 'followed':
      return [`${notice.container} restarted (started ${notice.startedAt}); following its log again`]
    case 'action':
      return [
        `${notice.outcome === 'failed' ? 'ACTION FAILED' : 'action'} ${notice.action} (${notice.outcome}) ` +
          `for trip event #${notice.tripEventSeq}: ${notice.message}`
      ]
    case 'stopped':
      return [`stopped (${notice.reason}): ${notice.windows} windows, ${notice.trips} trips`]
  }
}

/** A stored window as a table row, in the columns of guards watch. */
function windowRow(record: GuardWindowRecord): string {
  const figures = record.figures as unknown as GuardWindowFigures
  const cohort = (c: GuardWindowFigures['treatment']): string => {
    const rate = c.error_rate === null ? '-' : `${(c.error_rate * 100).toFixed(2)}%`
    const p95 = c.p95_ms === null ? '-' : String(Number(c.p95_ms.toFixed(1)))
    return `${String(c.requests).padStart(13)} ${String(c.failures).padStart(6)} ${rate.padStart(7)} ${p95.padStart(9)}`
  }
  const decision = record.decision === 'trip' ? 'TRIP' : record.decision
  return [
    record.windowStart,
    cohort(figures.treatment),
    cohort(figures.control),
    decision.padEnd(8),
    figures.reasons.join('; ')
  ].join('  ')
}
