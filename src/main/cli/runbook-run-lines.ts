import {
  RUNBOOKS,
  type EmergencyRollbackResult,
  type FullRollbackResult,
  type InterruptedRunbookRun,
  type RunbookRunView
} from '@shared/runbook-types'
import { resumePoint } from '@main/runbooks/runbook-runner'
import { formatDuration } from './runbook-progress-printer'

/** What `rampart rollback` and `rampart runbook …` print for people (progress came before). */

export function emergencyLines(result: EmergencyRollbackResult, run: RunbookRunView): string[] {
  const logs =
    result.logLines.length === 0
      ? []
      : [`last ${result.logLines.length} log lines:`, ...result.logLines.map((line) => `  ${line}`)]
  const restarted = result.restarted ? ', the service was restarted' : ''
  const urls = result.verifiedUrls.length === 0 ? '' : `; ${result.verifiedUrls.join(', ')}`
  return [
    ...logs,
    `SAFE: ${result.flag} is disabled in ${result.environment}${restarted} ` +
      `and verified (${result.healthCheck}${urls}) ` +
      `— time to safe ${formatDuration(result.timeToSafeMs)} (run #${run.id})`
  ]
}

export function fullRollbackLines(result: FullRollbackResult, run: RunbookRunView): string[] {
  const database =
    result.fromVersion === null
      ? `${result.database} at version ${result.toVersion} or below`
      : `${result.database} rolled back from ${result.fromVersion} to ${result.toVersion}`
  const previous = result.previousImage === null ? '' : ` (was ${result.previousImage})`
  const image = result.image === null ? '' : `; ${result.container} on ${result.image}${previous}`
  const flag = result.flag === null ? '' : `; ${result.flag} disabled`
  const backup = result.backup === null ? '' : `; backup ${result.backup.file}`
  return [`DONE: ${database}${flag}${image}; ${result.healthCheck}${backup} (run #${run.id})`]
}

/** The closing line of any run, with what is specific to the two rollbacks. */
export function finishedRunLines(run: RunbookRunView): string[] {
  if (run.status === 'succeeded' && run.runbook === RUNBOOKS.emergencyRollback)
    return emergencyLines(run.result as EmergencyRollbackResult, run)
  if (run.status === 'succeeded' && run.runbook === RUNBOOKS.fullRollback)
    return fullRollbackLines(run.result as FullRollbackResult, run)
  return [`run #${run.id} (${run.runbook}) ${run.status}`]
}

export function runLine(run: RunbookRunView, interruption?: string): string {
  const next = resumePoint(run)
  const where =
    next === undefined
      ? `all ${run.steps.length} steps done`
      : `step ${next.index + 1}/${run.steps.length} ${next.name} (${next.status})`
  const status = interruption === undefined ? run.status : 'INTERRUPTED'
  return (
    `#${run.id}  ${run.runbook}  [${run.environment}]  ${status}  started ${run.startedAt} by ${run.actor}  ${where}` +
    (interruption === undefined ? '' : `  — ${interruption}`)
  )
}

/** Shown at the start of the runbook and rollback commands, as the console shows it at start. */
export function interruptedNotice(runs: readonly InterruptedRunbookRun[]): string[] {
  if (runs.length === 0) return []
  return [
    `rampart: ${runs.length} interrupted runbook run${runs.length === 1 ? '' : 's'}:`,
    ...runs.map((run) => {
      const resume = run.resumable ? `resume: rampart runbook resume ${run.id}    or ` : ''
      return `  ${runLine(run, run.interruption)}\n    ${resume}cancel: rampart runbook cancel ${run.id}`
    })
  ]
}
