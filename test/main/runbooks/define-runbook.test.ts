import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { RUNBOOKS } from '@shared/runbook-types'
import { HistoryStore } from '@main/history/history-store'
import { defineRunbook, type Step, type StepKit } from '@main/runbooks/define-runbook'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRegistry } from '@main/runbooks/runbook-registry'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import { memoryNotes } from '@test/fixtures/memory-notes'

const HOST = 'test-host'
const DEAD_PID = 4_000_101
const LIVE_PID = 4_000_102

const CountInputSchema = z.object({ environment: z.string(), reason: z.string(), target: z.number().int() }).strict()
type CountInput = z.infer<typeof CountInputSchema>
const CountNotesSchema = z.object({ counted: z.number().int(), unit: z.string() })
type CountNotes = z.infer<typeof CountNotesSchema>

interface CountDeps {
  runbooks: RunbookRunner
  /** The steps whose bodies ran, in order. */
  ran: string[]
  /** A step that never finishes, as a crash leaves it. */
  hangAt: string | null
}

function counted(deps: CountDeps, name: string, body: (kit: StepKit<CountNotes>) => Promise<string | void>) {
  return {
    name,
    run: async (kit: StepKit<CountNotes>) => {
      deps.ran.push(name)
      if (deps.hangAt === name) return new Promise<never>(() => undefined)
      return body(kit)
    }
  } satisfies Step<CountNotes>
}

/** Any registered name will do: the test registers it in its own registry. */
const countRunbook = defineRunbook({
  name: RUNBOOKS.demoUp,
  input: CountInputSchema,
  notes: CountNotesSchema,
  context: (input, deps: CountDeps) => ({ deps, slow: input.target > 100 }),
  steps: (input, { deps, slow }) => [
    counted(deps, 'Count', async ({ notes }) => notes.set('counted', input.target)),
    slow && counted(deps, 'Count slowly', async () => 'slowly'),
    counted(deps, 'Double', async ({ notes }) => `${(notes.get('counted') ?? 0) * 2}`)
  ],
  result: (input, notes) => ({ target: input.target, counted: notes.get('counted') ?? null })
})

describe('defineRunbook', () => {
  let dir: string
  let history: HistoryStore
  let registry: RunbookRegistry
  let deps: CountDeps

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-define-'))
    history = HistoryStore.open(join(dir, 'history.db'))
    registry = new RunbookRegistry()
    deps = { runbooks: runnerAs(LIVE_PID), ran: [], hangAt: null }
    registry.register(countRunbook.bind(deps))
  })

  afterEach(() => {
    history.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function runnerAs(pid: number): RunbookRunner {
    return new RunbookRunner({
      history,
      bus: new ProgressBus(),
      clock: { now: () => new Date() },
      actor: `operator-${pid}`,
      registry,
      identity: { pid, host: HOST },
      isProcessAlive: (candidate) => candidate !== DEAD_PID,
      heartbeatMs: 3_600_000
    })
  }

  /**
   * Starts a run in the "dead" process that hangs in `hangAt`, as a crash leaves it; returns its id
   * once that step is running. `recorded` stands for an input an older build recorded.
   */
  async function crashedRun(hangAt: string, recorded?: unknown): Promise<number> {
    deps.hangAt = hangAt
    const input: CountInput = { environment: 'local', reason: 'r', target: 3 }
    const build = await registry.get(RUNBOOKS.demoUp)!.build(input)
    void runnerAs(DEAD_PID)
      .run({ ...build.definition, input: recorded ?? input }, build.context)
      .catch(() => undefined)
    for (let attempt = 0; attempt < 400; attempt++) {
      const run = history.runbooks.list()[0]
      if (run?.steps.some((step) => step.name === hangAt && step.status === 'running')) {
        deps.hangAt = null
        deps.ran = []
        return run.id
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    throw new Error(`the run never reached ${hangAt}`)
  }

  it('starts through the runner and returns the typed result; a step given as false is left out', async () => {
    const { result, run } = await countRunbook.bind(deps).start({ environment: 'local', reason: 'r', target: 3 })

    expectTypeOf(result).toEqualTypeOf<{ target: number; counted: number | null }>()
    expect(result).toEqual({ target: 3, counted: 3 })
    expect(run).toMatchObject({ runbook: RUNBOOKS.demoUp, environment: 'local', reason: 'r', status: 'succeeded' })
    expect(run.steps.map((step) => [step.name, step.message])).toEqual([
      ['Count', null],
      ['Double', '6']
    ])
    expect(history.runbooks.notes(run.id)).toEqual({ counted: 3 })
  })

  it('types the notes by the schema: an unknown key, or a value of another type, does not compile', async () => {
    const step: Step<CountNotes> = {
      name: 'typed',
      run: async ({ notes }) => {
        expectTypeOf(notes.get('counted')).toEqualTypeOf<number | undefined>()
        // @ts-expect-error "countd" is not a note of this runbook
        notes.get('countd')
        // @ts-expect-error "counted" holds a number
        notes.set('counted', 'three')
      }
    }
    const foreign: Step<{ backup: string }> = { name: 'foreign', run: async () => 'foreign' }
    defineRunbook({
      name: RUNBOOKS.demoUp,
      input: CountInputSchema,
      notes: CountNotesSchema,
      context: () => null,
      // @ts-expect-error a step whose note the runbook's schema lacks cannot be listed
      steps: () => [step, foreign],
      result: () => null
    })
    const notes = memoryNotes()
    await step.run({ runId: 1, signal: new AbortController().signal, notes, report: () => undefined })
    expect(notes.all()).toEqual({ counted: 'three' })
  })

  it('refuses a fresh input that does not fit its schema, naming the field', async () => {
    await expect(
      countRunbook.bind(deps).start({ environment: 'local', reason: 'r', target: 1.5 })
    ).rejects.toMatchObject({ code: 'bad_input', message: expect.stringContaining('target') })
    expect(history.runbooks.list()).toEqual([])
  })

  it('rebuilds a crashed run from its recorded input and resumes it with the notes earlier steps wrote', async () => {
    const runId = await crashedRun('Double')

    const view = await runnerAs(LIVE_PID).resume(runId)

    expect(deps.ran).toEqual(['Double'])
    expect(view.status).toBe('succeeded')
    expect(view.steps.at(-1)?.message).toBe('6')
    expect(view.result).toEqual({ target: 3, counted: 3 })
  })

  it('refuses to resume a run whose recorded input no longer fits, naming the field', async () => {
    const recorded: Omit<CountInput, 'target'> & { target: string } = { environment: 'local', reason: 'r', target: '3' }
    const runId = await crashedRun('Count', recorded)

    await expect(runnerAs(LIVE_PID).resume(runId)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/recorded input does not fit this version: target: /)
    })
    expect(deps.ran).toEqual([])
  })

  it('refuses a recorded note that no longer fits, naming the key, before the step that reads it runs', async () => {
    const runId = await crashedRun('Double')
    // What an older build might have left: the count as words.
    history.runbooks.setNotes(runId, { counted: 'three' })

    await expect(runnerAs(LIVE_PID).resume(runId)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('the run\'s note "counted" does not fit this version of Rampart (counted: ')
    })
    expect(deps.ran).toEqual([])
    expect(history.runbooks.get(runId)?.steps.map((step) => step.status)).toEqual(['done', 'failed'])
  })
})
