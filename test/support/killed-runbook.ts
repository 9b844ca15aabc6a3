/**
 * A runbook command of the built CLI SIGKILLed at a chosen step (test/fixtures/sigkill-at-step.mjs),
 * then resumed with `rampart runbook resume`, and the history checked for what a crash and a
 * resume must leave: the interrupted run listed with the step it died in, a `resumed` event that
 * names the killed process and the step run again, then `succeeded`, every seq from 1 on with no
 * gap, and `history verify` passing.
 */
import { pathToFileURL } from 'node:url'
import { expect } from 'vitest'
import type { HistoryEvent } from '@shared/history-types'
import type { InterruptedRunbookRun, RunbookProgress, RunbookRunView } from '@shared/runbook-types'
import { jsonLines, runRampart, type CliRun } from '@test/fixtures/rampart-cli'

const SIGKILL_PRELOAD = pathToFileURL(new URL('../fixtures/sigkill-at-step.mjs', import.meta.url).pathname).href

export type Rampart = (args: string[], extraEnv?: Record<string, string>) => CliRun

/** `rampart ARGS` in `cwd` with exactly `env` (plus PATH, and DOCKER_HOST when the tests have one). */
export function rampartIn(cwd: string, env: Record<string, string>): Rampart {
  return (args, extraEnv = {}) => {
    const docker: Record<string, string> =
      process.env.DOCKER_HOST === undefined ? {} : { DOCKER_HOST: process.env.DOCKER_HOST }
    return runRampart(args, { cwd, env: { ...docker, ...env, ...extraEnv } })
  }
}

export interface KilledRun {
  runId: number
  pid: number
  /** The name of the step that was running when the process died. */
  step: string
  stepCount: number
}

/** Runs `args --json` and SIGKILLs the process as step `stepIndex` of `runbook` starts. */
export function runKilledAtStep(rampart: Rampart, args: string[], runbook: string, stepIndex: number): KilledRun {
  const run = rampart([...args, '--json'], {
    NODE_OPTIONS: `--import=${SIGKILL_PRELOAD}`,
    RAMPART_SIGKILL_RUNBOOK: runbook,
    RAMPART_SIGKILL_AT_STEP: String(stepIndex)
  })
  expect(run.signal, `expected a SIGKILL at step ${stepIndex} of ${runbook}; stderr: ${run.stderr}`).toBe('SIGKILL')
  const progress = (jsonLines(run.stdout) as Array<RunbookProgress & { event: string }>).filter(
    (line) => line.event === 'progress' && line.runbook === runbook
  )
  const started = progress.find((line) => line.kind === 'run_started')!
  const killedAt = progress.at(-1)!
  expect([killedAt.kind, killedAt.stepIndex]).toEqual(['step_started', stepIndex])
  return { runId: started.runId, pid: run.pid!, step: killedAt.step!, stepCount: killedAt.stepCount }
}

/** The killed run is listed as interrupted at its step, and `runbook resume` completes it. */
export function resumeKilledRun(rampart: Rampart, killed: KilledRun): RunbookRunView {
  const listed = rampart(['runbook', 'list', '--interrupted', '--json'])
  expect(listed.status, listed.stderr).toBe(0)
  const interrupted = (jsonLines(listed.stdout) as InterruptedRunbookRun[]).find((run) => run.id === killed.runId)
  expect(interrupted, `run #${killed.runId} is not listed as interrupted:\n${listed.stdout}`).toBeDefined()
  expect(interrupted!.resumable).toBe(true)
  expect(interrupted!.interruption).toContain(String(killed.pid))
  expect(interrupted!.steps.find((step) => step.status === 'running')?.name).toBe(killed.step)

  const resumed = rampart(['runbook', 'resume', String(killed.runId), '--json'])
  expect(resumed.status, resumed.stderr).toBe(0)
  const final = rampart(['runbook', 'list', '--json', '--limit', '1000'])
  const run = (jsonLines(final.stdout) as RunbookRunView[]).find((candidate) => candidate.id === killed.runId)!
  expect(run.status).toBe('succeeded')
  expect(run.steps.every((step) => step.status === 'done' || step.status === 'skipped')).toBe(true)
  expect(run.steps.find((step) => step.name === killed.step)?.attempts).toBe(2)
  return run
}

/** Every event of the history, oldest first, after `history verify` passed. */
export function verifiedHistory(rampart: Rampart): HistoryEvent[] {
  const verify = rampart(['history', 'verify'])
  expect(verify.status, verify.stdout + verify.stderr).toBe(0)
  expect(verify.stdout).toContain('chain intact')
  const listed = rampart(['history', 'list', '--limit', '1000000', '--json'])
  expect(listed.status, listed.stderr).toBe(0)
  const events = jsonLines(listed.stdout) as HistoryEvent[]
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1))
  return events
}

/** The run's own events: started, resumed (by another process, after the killed one), succeeded. */
export function expectKillAndResumeRecorded(events: HistoryEvent[], killed: KilledRun): void {
  const own = events.filter(
    (event) => event.kind === 'runbook' && (event.detail as { runId?: number } | null)?.runId === killed.runId
  )
  expect(own.map((event) => event.outcome)).toEqual(['started', 'resumed', 'succeeded'])
  expect(own[1]!.detail).toMatchObject({
    previousStatus: 'running',
    previousProcess: { pid: killed.pid },
    rerunStep: killed.step
  })
}
