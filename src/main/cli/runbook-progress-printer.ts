import type { RunbookProgress } from '@shared/runbook-types'
import type { CliIo } from './cli-io'

/**
 * Shows runbook progress while a command runs: with --json one `{"event":"progress",…}` line
 * per notice; otherwise each step as it starts, what it reports, and how it ended (✓ or ✗,
 * its duration, its summary).
 * Written at once, not batched: progress is few lines, and late progress is no progress.
 */
export function printRunbookProgress(io: CliIo, json: boolean): (progress: RunbookProgress) => void {
  return (progress) => {
    // A reader that went away (`| head`) must not stop the operation it was watching.
    if (!io.stdout.writable) return
    if (json) {
      io.stdout.write(`${JSON.stringify({ event: 'progress', ...progress })}\n`)
      return
    }
    const line = progressLine(progress)
    if (line !== null) io.stdout.write(`${line}\n`)
  }
}

function progressLine(progress: RunbookProgress): string | null {
  const counter = progress.stepIndex === null ? '' : `[${progress.stepIndex + 1}/${progress.stepCount}] `
  const step = `${counter}${progress.step ?? ''}`
  const summary = progress.message === null ? '' : ` — ${progress.message}`
  const outcome = (mark: string): string => `  ${mark} ${step}  ${formatDuration(progress.durationMs)}${summary}`
  switch (progress.kind) {
    case 'run_started':
      return `${progress.runbook} (environment ${progress.environment}, run #${progress.runId})`
    case 'run_resumed':
      return (
        `${progress.runbook} (environment ${progress.environment}, run #${progress.runId}) resumed` +
        `${progress.message === null ? '' : `: ${progress.message}`}`
      )
    case 'step_started':
      return `  … ${step}`
    case 'step_progress':
      return progress.message === null ? null : `      ${progress.message}`
    case 'step_done':
      return outcome('✓')
    case 'step_failed':
      return outcome('✗')
    case 'step_cancelled':
      return outcome('■')
    case 'run_finished':
      if (progress.status === 'failed') return `${progress.runbook} failed`
      if (progress.status === 'cancelled')
        return (
          `${progress.runbook} ${progress.message ?? 'cancelled'}; ` +
          `continue it with: rampart runbook resume ${progress.runId}`
        )
      return null
  }
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return ''
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
