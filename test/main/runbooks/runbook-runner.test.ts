import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RampartError } from '@shared/errors'
import type { RunbookProgress } from '@shared/runbook-types'
import { HistoryStore } from '@main/history/history-store'
import { ProgressBus } from '@main/runbooks/progress-bus'
import type { RunbookStep } from '@main/runbooks/runbook-definition'
import { RunbookRunner } from '@main/runbooks/runbook-runner'

describe('RunbookRunner', () => {
  let dir: string
  let history: HistoryStore
  let bus: ProgressBus
  let progress: RunbookProgress[]
  let runner: RunbookRunner

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-runbook-'))
    history = HistoryStore.open(join(dir, 'history.db'))
    bus = new ProgressBus()
    progress = []
    bus.subscribe((item) => progress.push(item))
    let tick = Date.parse('2026-01-01T00:00:00Z')
    runner = new RunbookRunner({ history, bus, clock: { now: () => new Date((tick += 250)) }, actor: 'tester' })
  })

  afterEach(() => {
    history.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const step = (name: string, body: () => string | void = () => `${name} ok`): RunbookStep<{ log: string[] }> => ({
    name,
    run: async (context, report) => {
      context.log.push(name)
      report(`working on ${name}`)
      return body()
    }
  })

  it('records every step as done, with timing, and returns the result', async () => {
    const view = await runner.run(
      {
        runbook: 'demo',
        environment: 'local',
        steps: [step('one'), step('two')],
        result: (context) => ({ ran: context.log })
      },
      { log: [] }
    )
    expect(view.status).toBe('succeeded')
    expect(view.steps.map((s) => [s.name, s.status, s.message])).toEqual([
      ['one', 'done', 'one ok'],
      ['two', 'done', 'two ok']
    ])
    expect(view.steps.every((s) => s.durationMs !== null && s.durationMs > 0)).toBe(true)
    expect(view.result).toEqual({ ran: ['one', 'two'] })
    expect(history.runbooks.get(view.id)?.status).toBe('succeeded')
  })

  it('publishes start, each step and the finish in order', async () => {
    await runner.run({ runbook: 'demo', environment: 'local', steps: [step('one')] }, { log: [] })
    expect(progress.map((p) => p.kind)).toEqual([
      'run_started',
      'step_started',
      'step_progress',
      'step_done',
      'run_finished'
    ])
    expect(progress.at(-1)?.status).toBe('succeeded')
  })

  it('stops at a failing step, records it as failed and leaves later steps pending', async () => {
    const failing = step('two', () => {
      throw new RampartError('unreachable', 'engine gone')
    })
    const context = { log: [] as string[] }
    const attempt = runner.run(
      { runbook: 'demo', environment: 'local', steps: [step('one'), failing, step('three')] },
      context
    )
    await expect(attempt).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('step "two" failed: engine gone')
    })
    expect(context.log).toEqual(['one', 'two'])
    const [run] = history.runbooks.list()
    expect(run?.status).toBe('failed')
    expect(run?.steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending'])
    expect(run?.steps[1]?.message).toBe('engine gone')
  })

  it('appends a started and a finished event to the chain, which still verifies', async () => {
    await runner.run({ runbook: 'demo', environment: 'local', reason: 'why not', steps: [step('one')] }, { log: [] })
    const events = history.events.listEvents({ kinds: ['runbook'] })
    expect(events.map((e) => [e.outcome, e.actor, e.reason])).toEqual([
      ['started', 'tester', 'why not'],
      ['succeeded', 'tester', 'why not']
    ])
    expect(history.events.verify().ok).toBe(true)
  })

  it('shows a step as running in the file while it runs, so a crash leaves it visible', async () => {
    let seenWhileRunning: string | undefined
    const probe: RunbookStep<{ log: string[] }> = {
      name: 'probe',
      run: async () => {
        seenWhileRunning = history.runbooks.list()[0]?.steps[0]?.status
      }
    }
    await runner.run({ runbook: 'demo', environment: 'local', steps: [probe] }, { log: [] })
    expect(seenWhileRunning).toBe('running')
  })
})
