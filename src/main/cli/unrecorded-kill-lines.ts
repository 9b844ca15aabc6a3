import { RampartError } from '@shared/errors'
import { historyFailure } from '@main/history/history-file'
import {
  describeUnrecordedKill,
  killJournaled,
  KillNotRecordedError,
  type UnrecordedKillRequest,
  type UnrecordedKillResult
} from '@main/rollouts/unrecorded-kill'
import { LineWriter, type CliIo } from './cli-io'
import type { CliRuntime } from './cli-runtime'
import { writeWarning } from './history-notices'
import { formatDuration } from './runbook-progress-printer'

/**
 * The kill when the history file could not take it (docs/runbooks.md): `error` is what the
 * recorded path threw. A kill the services already finished without the history is taken as it
 * is; a history that could not even be opened gets the kill done here; anything else is thrown on.
 */
export async function killWithoutHistory(
  error: unknown,
  runtime: CliRuntime,
  request: Omit<UnrecordedKillRequest, 'why' | 'alreadyJournaled'>
): Promise<UnrecordedKillResult> {
  if (error instanceof KillNotRecordedError) return error.result
  const why = historyFailure(error)
  if (why === null) throw error
  return (await runtime.unrecordedKill()).kill({ ...request, why, alreadyJournaled: killJournaled(error) })
}

/**
 * Prints what the kill did, with the warning that the history does not have it yet on stderr. The
 * kill is done, so the command succeeds while the event is journaled; when it could not be
 * journaled either, nothing records it and the command fails (exit 1) after saying all of it.
 */
export async function printUnrecordedKill(
  io: CliIo,
  json: boolean,
  result: UnrecordedKillResult,
  form: 'move' | 'emergency'
): Promise<void> {
  writeWarning(io, json, describeUnrecordedKill(result))
  const out = new LineWriter(io.stdout)
  if (json) {
    const recorded = { recorded: false, ...result }
    await out.json(
      form === 'move'
        ? { state: result.to, event: null, ...recorded }
        : {
            event: 'result',
            result: recorded
          }
    )
  } else if (form === 'move') {
    const from = result.from === null ? 'disabled' : 'enabled'
    await out.line(`${result.flag}: ${from} -> disabled  (NOT RECORDED in the history: journaled)`)
    for (const problem of result.unreadable) await out.line(`  still to fix by hand: ${problem}`)
    await out.line(`  service: ${result.service.message}`)
  } else {
    const urls = result.verifiedUrls.length === 0 ? '' : `; ${result.verifiedUrls.join(', ')}`
    const took = formatDuration(Date.parse(result.safeAt) - Date.parse(result.startedAt))
    await out.line(
      `${verified(result) ? 'SAFE' : 'DISABLED, NOT VERIFIED'}: ${result.flag} is disabled in ${result.environment} ` +
        `(service: ${result.service.message}${urls}) — ${took}, NOT RECORDED in the history (journaled)`
    )
  }
  await out.flush()
  // As the recorded runbook: no running service to verify is a failure, whatever the flag.
  if (form === 'emergency' && !verified(result))
    throw new RampartError(
      'failed',
      `${result.flag} is disabled, but the service was not verified: ${result.service.message}`
    )
  if (!result.journal.ok)
    throw new RampartError(
      'failed',
      `the kill of ${result.flag} is done but recorded nowhere: neither the history nor ${result.journal.file} ` +
        `could be written (${result.journal.error})`
    )
}

/** The service answered after the kill: restarted and healthy (env file), or the flag API applied it at once. */
function verified(result: UnrecordedKillResult): boolean {
  return result.service.outcome === 'restarted' || result.service.outcome === 'not_needed'
}
