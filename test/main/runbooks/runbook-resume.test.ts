import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { HistoryStore } from '@main/history/history-store'
import { ProgressBus } from '@main/runbooks/progress-bus'
import type { RegisteredRunbook, RunbookStep, StepTools } from '@main/runbooks/runbook-definition'
import { RunbookRegistry } from '@main/runbooks/runbook-registry'
import { RunbookRunner } from '@main/runbooks/runbook-runner'

const HOST = 'test-host'
const DEAD_PID = 4_000_001
const LIVE_PID = 4_000_002

interface Work {
  /** Per step name, what it does; default: counts its runs and returns. */
  behaviour: Map<string, (tools: StepTools) => Promise<string | void>>
  runs: string[]
}

const StepListInput = z.object({ steps: z.array(z.string()), label: z.string() }).strict()

/** A registered runbook whose steps are named in its input, so resume can rebuild it. */
function testRunbook(work: Work, name = 'test-runbook'): RegisteredRunbook<z.infer<typeof StepListInput>, Work> {
  return {
    name,
    parseInput: (input) => StepListInput.parse(input),
    build: (input) => ({
      context: work,
      definition: {
        runbook: name,
        environment: 'local',
        reason: input.label,
        input,
        steps: input.steps.map((stepName): RunbookStep<Work> => ({
          name: stepName,
          cancellable: stepName.startsWith('wait'),
          run: async (context, _report, tools) => {
            context.runs.push(stepName)
            const behaviour = context.behaviour.get(stepName)
            return behaviour === undefined ? `${stepName} ok` : behaviour(tools)
          }
        })),
        result: (_context, notes) => ({ notes: notes.all() })
      }
    })
  }
}

function forever(): Promise<never> {
  return new Promise<never>(() => undefined)
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  )
}

async function eventually<T>(check: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('condition not reached')
}

describe('RunbookRunner resume, interruption and cancellation', () => {
  let dir: string
  let history: HistoryStore
  let registry: RunbookRegistry
  let work: Work

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-resume-'))
    history = HistoryStore.open(join(dir, 'history.db'))
    registry = new RunbookRegistry()
    work = { behaviour: new Map(), runs: [] }
    registry.register(testRunbook(work))
  })

  afterEach(() => {
    history.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A runner as one process sees things: its own pid, and which pids are alive. */
  function runnerAs(pid: number, options: { heartbeatMs?: number } = {}): RunbookRunner {
    return new RunbookRunner({
      history,
      bus: new ProgressBus(),
      clock: { now: () => new Date() },
      actor: `operator-${pid}`,
      registry,
      identity: { pid, host: HOST },
      isProcessAlive: (candidate) => candidate !== DEAD_PID,
      heartbeatMs: options.heartbeatMs ?? 3_600_000
    })
  }

  /** Starts a run in the "dead" process that hangs in `hangAt`, as a crash would leave it. */
  async function crashedRun(steps: string[], hangAt: string): Promise<number> {
    work.behaviour.set(hangAt, () => forever())
    void runnerAs(DEAD_PID)
      .start('test-runbook', { steps, label: 'crash test' })
      .catch(() => undefined)
    const run = await eventually(() =>
      history.runbooks
        .list()
        .find((candidate) => candidate.steps.some((step) => step.name === hangAt && step.status === 'running'))
    )
    work.behaviour.delete(hangAt)
    return run.id
  }

  it('records the pid, host and a heartbeat of the process running a run', async () => {
    const view = await runnerAs(LIVE_PID).start('test-runbook', { steps: ['one'], label: 'x' })
    expect(view.process).toMatchObject({ pid: LIVE_PID, host: HOST })
    expect(Date.parse(view.process!.heartbeatAt)).not.toBeNaN()
    expect(view.input).toEqual({ steps: ['one'], label: 'x' })
  })

  it('does not list a run whose process is alive as interrupted', async () => {
    work.behaviour.set('two', () => forever())
    void runnerAs(LIVE_PID).start('test-runbook', { steps: ['one', 'two'], label: 'x' })
    await eventually(() => history.runbooks.list()[0]?.steps[1]?.status === 'running' || undefined)
    expect(runnerAs(LIVE_PID + 10).listInterrupted()).toEqual([])
  })

  it('lists a running run whose pid is gone as interrupted and resumable, naming why', async () => {
    const runId = await crashedRun(['one', 'two', 'three'], 'two')
    const [interrupted, ...others] = runnerAs(LIVE_PID).listInterrupted()
    expect(others).toEqual([])
    expect(interrupted).toMatchObject({
      id: runId,
      resumable: true,
      interruption: `pid ${DEAD_PID} on ${HOST} is gone`
    })
  })

  it(
    'resumes from the interrupted step: done steps are not ' + 'run again, the interrupted one is re-run and counted',
    async () => {
      const runId = await crashedRun(['one', 'two', 'three'], 'two')
      work.runs = []

      const view = await runnerAs(LIVE_PID).resume(runId)

      expect(view.status).toBe('succeeded')
      expect(work.runs).toEqual(['two', 'three'])
      expect(view.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
        ['one', 'done', 1],
        ['two', 'done', 2],
        ['three', 'done', 1]
      ])
      expect(view.process?.pid).toBe(LIVE_PID)
    }
  )

  it('records the resume in history with the step that was re-run, and the chain still verifies', async () => {
    const runId = await crashedRun(['one', 'two'], 'two')
    await runnerAs(LIVE_PID).resume(runId)
    const outcomes = history.events.listEvents({ kinds: ['runbook'] }).map((event) => [event.outcome, event.actor])
    expect(outcomes).toEqual([
      ['started', `operator-${DEAD_PID}`],
      ['resumed', `operator-${LIVE_PID}`],
      ['succeeded', `operator-${LIVE_PID}`]
    ])
    const resumed = history.events.listEvents({ kinds: ['runbook'] })[1]!
    expect(resumed.detail).toMatchObject({
      runId,
      rerunStep: 'two',
      fromStep: 'two',
      previousStatus: 'running',
      previousProcess: { pid: DEAD_PID }
    })
    expect(history.events.verify().ok).toBe(true)
  })

  it('gives the resumed steps the notes that earlier steps recorded', async () => {
    work.behaviour.set('one', async (tools) => {
      tools.notes.set('backup', { file: '/backups/a.dump' })
      return 'noted'
    })
    const runId = await crashedRun(['one', 'two'], 'two')
    let seen: unknown
    work.behaviour.set('two', async (tools) => {
      seen = tools.notes.get('backup')
    })
    const view = await runnerAs(LIVE_PID).resume(runId)
    expect(seen).toEqual({ file: '/backups/a.dump' })
    expect(view.result).toEqual({ notes: { backup: { file: '/backups/a.dump' } } })
  })

  it('refuses to resume a run that succeeded', async () => {
    const view = await runnerAs(LIVE_PID).start('test-runbook', { steps: ['one'], label: 'x' })
    await expect(runnerAs(LIVE_PID).resume(view.id)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('nothing to resume')
    })
  })

  it('refuses to resume a run whose process is still alive, naming pid and host', async () => {
    work.behaviour.set('two', () => forever())
    void runnerAs(LIVE_PID).start('test-runbook', { steps: ['one', 'two'], label: 'x' })
    const run = await eventually(() =>
      history.runbooks.list().find((candidate) => candidate.steps[1]?.status === 'running')
    )
    await expect(runnerAs(LIVE_PID + 1).resume(run.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`still running: pid ${LIVE_PID} on ${HOST}`)
    })
  })

  it('lets only one of two processes resume the same interrupted run', async () => {
    const runId = await crashedRun(['one', 'two'], 'two')
    work.behaviour.set('two', () => forever())
    void runnerAs(LIVE_PID).resume(runId)
    await eventually(() => (history.runbooks.get(runId)?.process?.pid === LIVE_PID ? true : undefined))
    await expect(runnerAs(LIVE_PID + 1).resume(runId)).rejects.toMatchObject({ code: 'conflict' })
  })

  it('refuses to resume a runbook that is not registered, pointing at cancel', async () => {
    const runner = runnerAs(DEAD_PID)
    void runner
      .run({ runbook: 'ad-hoc', environment: 'local', steps: [{ name: 'hang', run: () => forever() }] }, {})
      .catch(() => undefined)
    const run = await eventually(() => history.runbooks.list().find((candidate) => candidate.runbook === 'ad-hoc'))
    expect(runnerAs(LIVE_PID).listInterrupted()[0]).toMatchObject({ id: run.id, resumable: false })
    await expect(runnerAs(LIVE_PID).resume(run.id)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining(`rampart runbook cancel ${run.id}`)
    })
  })

  it('refuses to resume when the runbook now builds different steps from the same input', async () => {
    const runId = await crashedRun(['one', 'two'], 'two')
    const changed = new RunbookRegistry()
    const original = testRunbook(work)
    changed.register({ ...original, build: (input) => original.build({ ...input, steps: [...input.steps, 'extra'] }) })
    const runner = new RunbookRunner({
      history,
      bus: new ProgressBus(),
      clock: { now: () => new Date() },
      actor: 'x',
      registry: changed,
      identity: { pid: LIVE_PID, host: HOST },
      isProcessAlive: (pid) => pid !== DEAD_PID
    })
    await expect(runner.resume(runId)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('one | two | extra')
    })
  })

  it(
    'cancels between steps: the running step finishes, the ' + 'next stays pending, and resume continues from it',
    async () => {
      let release!: () => void
      work.behaviour.set('one', () => new Promise<string>((resolve) => (release = () => resolve('one ok'))))
      const runner = runnerAs(LIVE_PID)
      const attempt = runner.start('test-runbook', { steps: ['one', 'two'], label: 'x' })
      const run = await eventually(() => history.runbooks.list()[0])
      await eventually(() => (release === undefined ? undefined : true))
      expect(runner.cancel(run.id, { reason: 'changed my mind' }).outcome).toBe('requested')
      release()
      await expect(attempt).rejects.toMatchObject({ detail: { status: 'cancelled' } })
      const cancelled = history.runbooks.get(run.id)!
      expect(cancelled.status).toBe('cancelled')
      expect(cancelled.steps.map((step) => step.status)).toEqual(['done', 'pending'])

      work.behaviour.delete('one')
      work.runs = []
      const resumed = await runner.resume(run.id)
      expect(resumed.status).toBe('succeeded')
      expect(work.runs).toEqual(['two'])
    }
  )

  it('cancels inside a cancellable wait and records the step as cancelled', async () => {
    work.behaviour.set('wait-for-health', (tools) => untilAborted(tools.signal))
    const runner = runnerAs(LIVE_PID)
    const attempt = runner.start('test-runbook', { steps: ['one', 'wait-for-health', 'three'], label: 'x' })
    const run = await eventually(() =>
      history.runbooks.list().find((candidate) => candidate.steps[1]?.status === 'running')
    )
    runner.cancel(run.id)
    await expect(attempt).rejects.toMatchObject({
      message: expect.stringContaining(`rampart runbook resume ${run.id}`)
    })
    expect(history.runbooks.get(run.id)!.steps.map((step) => step.status)).toEqual(['done', 'cancelled', 'pending'])
    expect(history.events.listEvents({ kinds: ['runbook'] }).at(-1)).toMatchObject({ outcome: 'cancelled' })
  })

  it('never aborts a step that is not cancellable', async () => {
    let signal: AbortSignal | undefined
    let release!: () => void
    work.behaviour.set('one', (tools) => {
      signal = tools.signal
      return new Promise<string>((resolve) => (release = () => resolve('done anyway')))
    })
    const runner = runnerAs(LIVE_PID)
    const attempt = runner.start('test-runbook', { steps: ['one'], label: 'x' })
    await eventually(() => signal)
    runner.cancel(history.runbooks.list()[0]!.id)
    expect(signal!.aborted).toBe(false)
    release()
    // The only step finished, so nothing was left to cancel.
    await expect(attempt).resolves.toMatchObject({ status: 'succeeded' })
  })

  it('asks a run in another live process to stop, through the history file, at its next safe point', async () => {
    work.behaviour.set('wait-a-while', (tools) => untilAborted(tools.signal))
    const attempt = runnerAs(LIVE_PID, { heartbeatMs: 10 }).start('test-runbook', {
      steps: ['wait-a-while', 'two'],
      label: 'x'
    })
    const run = await eventually(() =>
      history.runbooks.list().find((candidate) => candidate.steps[0]?.status === 'running')
    )

    const answer = runnerAs(LIVE_PID + 1).cancel(run.id, { reason: 'from the other console' })

    expect(answer.outcome).toBe('requested')
    await expect(attempt).rejects.toMatchObject({ detail: { status: 'cancelled' } })
    expect(history.runbooks.get(run.id)?.status).toBe('cancelled')
  })

  it('cancels an interrupted run at once, leaves it resumable, and stops listing it', async () => {
    const runId = await crashedRun(['one', 'two'], 'two')
    const runner = runnerAs(LIVE_PID)
    expect(runner.cancel(runId).outcome).toBe('cancelled')
    expect(runner.listInterrupted()).toEqual([])
    expect(history.runbooks.get(runId)?.steps[1]?.status).toBe('cancelled')
    await expect(runner.resume(runId)).resolves.toMatchObject({ status: 'succeeded' })
  })

  it(
    'records a run started inside a step as its child; resuming ' +
      'the parent closes the child an earlier attempt left running',
    async () => {
      const runner = runnerAs(DEAD_PID)
      work.behaviour.set('nested', async () => {
        await runner.run(
          { runbook: 'inner', environment: 'local', steps: [{ name: 'inner hang', run: () => forever() }] },
          {}
        )
      })
      void runner.start('test-runbook', { steps: ['one', 'nested'], label: 'x' }).catch(() => undefined)
      const child = await eventually(() => history.runbooks.list().find((candidate) => candidate.runbook === 'inner'))
      const parentId = child.parent!.runId
      expect(child.parent).toEqual({ runId: parentId, stepIndex: 1 })
      // The child dies with its parent: only the parent is offered for resume.
      expect(
        runnerAs(LIVE_PID)
          .listInterrupted()
          .map((run) => run.id)
      ).toEqual([parentId])
      await expect(runnerAs(LIVE_PID).resume(child.id)).rejects.toMatchObject({
        message: expect.stringContaining(`rampart runbook resume ${parentId}`)
      })

      work.behaviour.set('nested', async () => 'nested ok')
      await runnerAs(LIVE_PID).resume(parentId)

      expect(history.runbooks.get(child.id)).toMatchObject({
        status: 'cancelled',
        result: { supersededBy: { runId: parentId, stepIndex: 1 } }
      })
    }
  )
})
