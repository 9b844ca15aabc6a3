import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import type { MoveConflictDetail, MoveRefusedDetail } from '@shared/error-details'
import type { FlagState } from '@shared/flag-state'
import type { HistoryEvent } from '@shared/history-types'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'

let workspace: ServiceWorkspace

beforeEach(() => {
  workspace = new ServiceWorkspace()
})

afterEach(() => {
  workspace.cleanup()
})

function events(context: AppContext): HistoryEvent[] {
  return context.services.history.list({ flag: FLAG })
}

function percentageOf(state: unknown): unknown {
  return (state as { rollout_percentage?: unknown } | null)?.rollout_percentage
}

/**
 * Looks at the rollout (Rampart's phase clock starts at first sight), lets guards pass for three
 * windows, then waits them out.
 */
async function passGuardsInCurrentPhase(context: AppContext): Promise<void> {
  await context.services.rollout.status(undefined, FLAG)
  workspace.recordPasses(3)
  workspace.clock.advanceSeconds(180)
}

describe('RolloutService.status', () => {
  it('shows a phase, its options and what each still needs', async () => {
    const context = await workspace.open()
    const status = await context.services.rollout.status(undefined, FLAG)
    expect(status.environment).toBe('local')
    expect(status.position).toEqual({ kind: 'phase', phase: 10 })
    expect(status.state).toMatchObject({
      enabled: true,
      rollout_percentage: 10,
      whitelist_users: ['admin@example.com']
    })
    expect(status.options.map((option) => [option.move, option.target, option.available])).toEqual([
      ['advance', { rollout_percentage: 25 }, false],
      ['back', { rollout_percentage: 0 }, true],
      ['rollback', { rollout_percentage: 0 }, true],
      ['kill', { enabled: false }, true]
    ])
    const advance = status.options[0]!
    expect(advance.unmet).toEqual(['guards have no verdict yet, not pass'])
    expect(advance.needsConfirmation).toBe(false)
    expect(status.guard).toEqual({ verdict: 'none', tripped: false, passSince: null, lastWindowAt: null })
    expect(status.minSoakSeconds).toBe(0)
  })

  it('offers advance once the guards pass in the current phase', async () => {
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)
    const status = await context.services.rollout.status(undefined, FLAG)
    expect(status.guard.verdict).toBe('pass')
    expect(status.options[0]).toMatchObject({ move: 'advance', available: true, unmet: [] })
  })

  it('asks for the confirmation only on the step to 100 %', async () => {
    workspace.writeEnv(seedEnvText(50))
    const context = await workspace.open()
    const status = await context.services.rollout.status(undefined, FLAG)
    expect(status.options[0]).toMatchObject({
      move: 'advance',
      target: { rollout_percentage: 100 },
      needsConfirmation: true
    })
  })

  it('refuses a flag the environment does not declare, naming the declared ones', async () => {
    const context = await workspace.open()
    const error = await rejectionOf(context.services.rollout.status(undefined, 'unified_llm_hubb'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('"unified_llm_hubb"')
    expect(error.message).toContain('declared: unified_llm_hub')
  })

  it('refuses an unknown environment, naming the ones there are', async () => {
    const context = await workspace.open()
    const error = await rejectionOf(context.services.rollout.status('prod', FLAG))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('"prod"')
    expect(error.message).toContain('there are: local')
  })
})

describe('RolloutService.move: advance', () => {
  it(
    'refuses to advance without guard data, ' +
      'records the refusal with every unmet precondition, and leaves the file alone',
    async () => {
      const context = await workspace.open()
      const before = workspace.readEnv()
      const error = await rejectionOf(
        context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'looks fine' })
      )
      expect(error.code).toBe('refused')
      expect(error.message).toContain('guards have no verdict yet')
      expect(error.detail).toEqual({ unmet: ['guards have no verdict yet, not pass'] })
      expect(workspace.readEnv()).toBe(before)
      expect(existsSync(`${workspace.envPath}.rampart-lock`)).toBe(false)

      const [refused] = events(context)
      expect(refused).toMatchObject({
        kind: 'refused',
        actor: 'tester',
        flag: FLAG,
        environment: 'local',
        reason: 'looks fine',
        outcome: 'refused',
        detail: { move: 'advance', unmet: ['guards have no verdict yet, not pass'] }
      })
      expect(percentageOf(refused!.fromState)).toBe(10)
    }
  )

  it('lists every unmet precondition at once', async () => {
    workspace.writeEnv(seedEnvText(10, 'false'))
    const context = await workspace.open()
    const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: '  ' }))
    expect((error.detail as MoveRefusedDetail).unmet).toEqual([
      'flag is disabled',
      'guards have no verdict yet, not pass',
      'reason is empty'
    ])
  })

  it('does not count windows judged with looser thresholds than the environment’s', async () => {
    const context = await workspace.open()
    await context.services.rollout.status(undefined, FLAG)
    const looser = {
      window_seconds: 60,
      min_requests: 1,
      max_error_rate: 0.9,
      max_latency_degradation: 0.5,
      breach_windows: 2
    }
    workspace.recordPasses(3, 0, 'local', FLAG, looser)
    workspace.clock.advanceSeconds(180)

    const refusal = await rejectionOf(
      context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'looks fine' })
    )

    expect(refusal.code).toBe('refused')
    expect(refusal.message).toContain('guards have no verdict yet')
  })

  it('counts windows judged with exactly the environment’s thresholds', async () => {
    const context = await workspace.open()
    await context.services.rollout.status(undefined, FLAG)
    const own = {
      window_seconds: 60,
      min_requests: 100,
      max_error_rate: 0.05,
      max_latency_degradation: 0.5,
      breach_windows: 2,
      lateness_seconds: 60
    }
    workspace.recordPasses(3, 0, 'local', FLAG, own)
    workspace.clock.advanceSeconds(180)

    const result = await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'guards green' })

    expect(result.state.rollout_percentage).toBe(25)
  })

  it(
    'advances 10 → 25 on passing guards, ' +
      'changing only FEATURE_LLM_HUB_ROLLOUT and recording who, why, from, to and the guards',
    async () => {
      const context = await workspace.open()
      await passGuardsInCurrentPhase(context)
      const before = workspace.readEnv()

      const result = await context.services.rollout.move({
        flag: FLAG,
        move: 'advance',
        reason: 'error rate flat for 3 windows'
      })

      expect(result.state).toMatchObject({ enabled: true, rollout_percentage: 25 })
      expect(workspace.readEnv()).toBe(
        before.replace('FEATURE_LLM_HUB_ROLLOUT = 10 #', 'FEATURE_LLM_HUB_ROLLOUT = 25 #')
      )
      expect(result.event).toMatchObject({
        kind: 'phase_move',
        actor: 'tester',
        flag: FLAG,
        environment: 'local',
        reason: 'error rate flat for 3 windows',
        outcome: 'applied',
        at: workspace.clock.iso(),
        detail: { move: 'advance', source: 'env-file', origin: workspace.envPath }
      })
      expect(percentageOf(result.event.fromState)).toBe(10)
      expect(percentageOf(result.event.toState)).toBe(25)
      expect(result.event.guardSnapshot).toMatchObject({ verdict: 'pass', tripped: false })
      expect(events(context).at(-1)).toEqual(result.event)
      expect(context.services.history.verify().ok).toBe(true)
      expect(existsSync(`${workspace.envPath}.rampart-lock`)).toBe(false)
    }
  )

  it('does not count guard windows of the previous phase towards the next advance', async () => {
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 25' })

    const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' }))
    expect((error.detail as MoveRefusedDetail).unmet).toEqual(['guards have no verdict yet, not pass'])

    workspace.recordPasses(2)
    workspace.clock.advanceSeconds(120)
    const result = await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' })
    expect(result.state.rollout_percentage).toBe(50)
  })

  it('refuses to reach 100 % without the flag name typed exactly, then reaches it with it', async () => {
    workspace.writeEnv(seedEnvText(50))
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)

    const missing = await rejectionOf(
      context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'all green' })
    )
    expect((missing.detail as MoveRefusedDetail).unmet).toEqual(['type the flag name to confirm'])
    const wrong = await rejectionOf(
      context.services.rollout.move({
        flag: FLAG,
        move: 'advance',
        reason: 'all green',
        confirmation: 'Unified_LLM_Hub'
      })
    )
    expect((wrong.detail as MoveRefusedDetail).unmet).toEqual([
      'confirmation "Unified_LLM_Hub" does not match the flag name "unified_llm_hub"'
    ])
    expect(percentageOf((await context.services.flags.get(undefined, FLAG)).state)).toBe(50)

    const result = await context.services.rollout.move({
      flag: FLAG,
      move: 'advance',
      reason: 'all green',
      confirmation: FLAG
    })
    expect(result.state.rollout_percentage).toBe(100)
  })

  it('refuses to advance while a guard trip is on record in the phase', async () => {
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)
    workspace.history().guardWindows.recordGuardWindow({
      flag: FLAG,
      environment: 'local',
      windowStart: workspace.clock.iso(),
      windowSeconds: 60,
      decision: 'trip',
      figures: {}
    })
    workspace.recordPasses(1, 60)
    workspace.clock.advanceSeconds(120)
    const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'recovered' }))
    expect((error.detail as MoveRefusedDetail).unmet).toEqual([
      'guards are trip, not pass',
      'guards have tripped; a trip blocks advancing until it is cleared'
    ])
  })
})

describe('RolloutService.move: minimum soak time', () => {
  const SOAK_WORKSPACE = ['environments:', '  local:', '    rollout:', '      min_soak_seconds: 3600', ''].join('\n')

  it('blocks advance until the clock has passed min_soak_seconds in the phase', async () => {
    workspace.cleanup()
    workspace = new ServiceWorkspace({ workspaceYaml: SOAK_WORKSPACE })
    const context = await workspace.open()
    const status = await context.services.rollout.status(undefined, FLAG)
    expect(status.minSoakSeconds).toBe(3600)
    workspace.recordPasses(60)

    workspace.clock.advanceSeconds(3599)
    const early = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'soaked?' }))
    expect((early.detail as MoveRefusedDetail).unmet).toEqual(['soak time: 3599 s of 3600 s'])

    workspace.clock.advanceSeconds(1)
    const result = await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'soaked an hour' })
    expect(result.state.rollout_percentage).toBe(25)
  })

  it('starts the soak of the next phase at the move into it', async () => {
    workspace.cleanup()
    workspace = new ServiceWorkspace({ workspaceYaml: SOAK_WORKSPACE })
    const context = await workspace.open()
    await context.services.rollout.status(undefined, FLAG)
    workspace.recordPasses(60)
    workspace.clock.advanceSeconds(3600)
    await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 25' })

    workspace.recordPasses(70)
    workspace.clock.advanceSeconds(1800)
    const early = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' }))
    expect((early.detail as MoveRefusedDetail).unmet).toEqual(['soak time: 1800 s of 3600 s'])
    workspace.clock.advanceSeconds(1800)
    expect(
      (await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' })).state.rollout_percentage
    ).toBe(50)
  })
})

describe('RolloutService.move: back, rollback, kill', () => {
  it('steps back to the previous phase with only a reason', async () => {
    workspace.writeEnv(seedEnvText(25))
    const context = await workspace.open()
    const result = await context.services.rollout.move({ flag: FLAG, move: 'back', reason: 'latency creeping up' })
    expect(result.state.rollout_percentage).toBe(10)
    expect(result.event.kind).toBe('phase_move')
  })

  it('rolls back to 0 % and records it as a rollback', async () => {
    workspace.writeEnv(seedEnvText(50))
    const context = await workspace.open()
    const result = await context.services.rollout.move({ flag: FLAG, move: 'rollback', reason: 'error spike' })
    expect(result.state).toMatchObject({ enabled: true, rollout_percentage: 0 })
    expect(result.event).toMatchObject({ kind: 'rollback', outcome: 'applied', actor: 'tester' })
  })

  it('kills by setting enabled to false, changing only FEATURE_UNIFIED_LLM_HUB', async () => {
    workspace.writeEnv(seedEnvText(25))
    const context = await workspace.open()
    const before = workspace.readEnv()
    const result = await context.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'incident 4711' })
    expect(result.state).toMatchObject({ enabled: false, rollout_percentage: 25 })
    expect(workspace.readEnv()).toBe(
      before.replace('export FEATURE_UNIFIED_LLM_HUB=true\n', 'export FEATURE_UNIFIED_LLM_HUB=false\n')
    )
    expect(result.event).toMatchObject({ kind: 'kill', reason: 'incident 4711', outcome: 'applied' })
    expect((result.event.toState as FlagState).enabled).toBe(false)

    const status = await context.services.rollout.status(undefined, FLAG)
    expect(status.options.map((option) => option.move)).toEqual(['advance', 'back', 'rollback', 'enable'])
    expect(status.options[0]!.unmet).toContain('flag is disabled')
  })

  it(
    'kills past a bad value typed by hand into another variable: ' +
      'only the enabled line changes, and the record names what is left to fix',
    async () => {
      const handEdited = seedEnvText(25).replace('FEATURE_LLM_HUB_ROLLOUT = 25 #', 'FEATURE_LLM_HUB_ROLLOUT = 25% #')
      expect(handEdited).not.toBe(seedEnvText(25))
      workspace.writeEnv(handEdited)
      const context = await workspace.open()
      const before = workspace.readEnv()
      const back = await rejectionOf(
        context.services.rollout.move({ flag: FLAG, move: 'back', reason: 'too many errors' })
      )
      expect(back.code).toBe('bad_input')
      expect(back.message).toMatch(/^FEATURE_LLM_HUB_ROLLOUT=25% in .+\.env line \d+ is not a percentage/)

      const result = await context.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'incident 4712' })
      expect(workspace.readEnv()).toBe(
        before.replace('export FEATURE_UNIFIED_LLM_HUB=true\n', 'export FEATURE_UNIFIED_LLM_HUB=false\n')
      )
      expect(result.state.enabled).toBe(false)
      expect(result.event).toMatchObject({ kind: 'kill', reason: 'incident 4712', outcome: 'applied' })
      expect((result.event.detail as { unreadable: string[] }).unreadable).toEqual([
        expect.stringMatching(/^FEATURE_LLM_HUB_ROLLOUT=25% in .+ line \d+ is not a percentage/)
      ])
      expect(context.services.history.verify().ok).toBe(true)
    }
  )

  it('refuses a move without a reason', async () => {
    const context = await workspace.open()
    const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'kill', reason: '' }))
    expect(error.code).toBe('refused')
    expect((error.detail as MoveRefusedDetail).unmet).toEqual(['reason is empty'])
    expect(workspace.readEnv()).toBe(seedEnvText(10))
  })
})

describe('RolloutService.move: drift', () => {
  it(
    'detects a hand edit to 37 between moves as drift, refuses, ' +
      'records it, and then offers only back, rollback and kill',
    async () => {
      const context = await workspace.open()
      await passGuardsInCurrentPhase(context)
      await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 25' })
      workspace.writeEnv(workspace.readEnv().replace('FEATURE_LLM_HUB_ROLLOUT = 25', 'FEATURE_LLM_HUB_ROLLOUT = 37'))
      workspace.recordPasses(3)
      workspace.clock.advanceSeconds(180)

      const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' }))
      expect(error.code).toBe('conflict')
      expect(error.message).toContain('rollout_percentage')
      expect(percentageOf((error.detail as MoveConflictDetail).expected)).toBe(25)
      expect(percentageOf((error.detail as MoveConflictDetail).current)).toBe(37)

      const drift = events(context).at(-1)!
      expect(drift).toMatchObject({
        kind: 'drift',
        actor: 'tester',
        outcome: 'refused',
        detail: { move: 'advance', fields: ['rollout_percentage'] }
      })
      expect(percentageOf(drift.fromState)).toBe(25)
      expect(percentageOf(drift.toState)).toBe(37)
      expect(workspace.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT = 37')

      const status = await context.services.rollout.status(undefined, FLAG)
      expect(status.position).toEqual({ kind: 'drift', percentage: 37, phaseBelow: 25 })
      expect(status.options.map((option) => [option.move, option.target])).toEqual([
        ['back', { rollout_percentage: 25 }],
        ['rollback', { rollout_percentage: 0 }],
        ['kill', { enabled: false }]
      ])

      const advance = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50' }))
      expect(advance.code).toBe('refused')
      expect(advance.message).toContain('37 % is off the path')

      const back = await context.services.rollout.move({ flag: FLAG, move: 'back', reason: 'back onto the path' })
      expect(back.state.rollout_percentage).toBe(25)
      expect(percentageOf(back.event.fromState)).toBe(37)
      expect(context.services.history.verify().ok).toBe(true)
    }
  )

  it('refuses a move when the state the operator was looking at is not the one in the file', async () => {
    const context = await workspace.open()
    const seen = (await context.services.rollout.status(undefined, FLAG)).state
    workspace.writeEnv(seedEnvText(50))
    const error = await rejectionOf(
      context.services.rollout.move({ flag: FLAG, move: 'rollback', reason: 'spike', expected: seen })
    )
    expect(error.code).toBe('conflict')
    expect(workspace.readEnv()).toBe(seedEnvText(50))
    expect(events(context).at(-1)).toMatchObject({ kind: 'drift', outcome: 'refused' })
  })

  it('does not let guard windows from before a hand edit count for the phase it set', async () => {
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)
    await context.services.rollout.move({ flag: FLAG, move: 'back', reason: 'to 0 for a moment' })
    workspace.recordPasses(3)
    workspace.clock.advanceSeconds(180)
    // Someone sets 25 % by hand; the console re-reads it and the operator asks to advance from what they see.
    workspace.writeEnv(seedEnvText(25))
    const seen = (await context.services.rollout.status(undefined, FLAG)).state

    const error = await rejectionOf(
      context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'to 50', expected: seen })
    )
    expect((error.detail as MoveRefusedDetail).unmet).toEqual(['guards have no verdict yet, not pass'])
    expect(workspace.readEnv()).toBe(seedEnvText(25))
    expect(events(context).some((event) => event.kind === 'drift' && percentageOf(event.toState) === 25)).toBe(true)
  })
})

describe('RolloutService.move: recovery without hand edits', () => {
  it('enables a killed flag again at 0 %, recorded like every move, and refuses when it is on', async () => {
    const context = await workspace.open()
    await context.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'incident' })
    expect(workspace.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false')

    const enabled = await context.services.rollout.move({ flag: FLAG, move: 'enable', reason: 'fix deployed' })
    expect(enabled.state).toMatchObject({ enabled: true, rollout_percentage: 0 })
    expect(enabled.event).toMatchObject({ kind: 'enable', actor: 'tester', outcome: 'applied', reason: 'fix deployed' })
    expect(enabled.event.fromState).toMatchObject({ enabled: false, rollout_percentage: 10 })
    expect(workspace.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=true')
    expect(workspace.readEnv()).toContain('FEATURE_LLM_HUB_ROLLOUT = 0')

    const again = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'enable', reason: 'twice' }))
    expect(again.code).toBe('refused')
    expect(again.message).toContain('the flag is already enabled')
  })

  it('adopts a hand-set phase as the position, starting its soak, without writing the file', async () => {
    const context = await workspace.open()
    await passGuardsInCurrentPhase(context)
    workspace.writeEnv(seedEnvText(25))
    workspace.clock.advanceSeconds(60)
    const before = await context.services.rollout.status(undefined, FLAG)
    expect(before.options.find((option) => option.move === 'adopt')).toMatchObject({
      available: true,
      target: { rollout_percentage: 25 }
    })

    const adopted = await context.services.rollout.move({
      flag: FLAG,
      move: 'adopt',
      reason: 'set by hand during the incident call',
      expected: before.state
    })
    expect(adopted.event).toMatchObject({ kind: 'adopt', outcome: 'applied' })
    expect(percentageOf(adopted.event.fromState)).toBe(10)
    expect(percentageOf(adopted.event.toState)).toBe(25)
    expect(workspace.readEnv()).toBe(seedEnvText(25))
    expect(events(context).some((event) => event.kind === 'drift')).toBe(false)

    const after = await context.services.rollout.status(undefined, FLAG)
    expect(after.phaseEnteredAt).toBe(workspace.clock.iso())
    expect(after.options.map((option) => option.move)).not.toContain('adopt')
    // The passes at 10 % say nothing about 25 %.
    expect(after.options.find((option) => option.move === 'advance')?.unmet).toEqual([
      'guards have no verdict yet, not pass'
    ])
  })

  it('opens the gate out of 0 % on holds alone, and names the rule', async () => {
    const context = await workspace.open()
    await context.services.rollout.move({ flag: FLAG, move: 'rollback', reason: 'start over' })
    const store = workspace.history()
    for (let index = 0; index < 3; index++) {
      store.guardWindows.recordGuardWindow({
        flag: FLAG,
        environment: 'local',
        windowStart: workspace.clock.iso(index * 60),
        windowSeconds: 60,
        decision: 'hold',
        figures: { treatment: { requests: 2, failures: 0 }, control: { requests: 4500, failures: 9 } }
      })
    }
    workspace.clock.advanceSeconds(180)
    const status = await context.services.rollout.status(undefined, FLAG)
    const advance = status.options.find((option) => option.move === 'advance')
    expect(advance).toMatchObject({ available: true, unmet: [], rule: expect.stringContaining('holds allowed') })
    const moved = await context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'whitelist is happy' })
    expect(moved.state.rollout_percentage).toBe(10)
  })

  it('keeps the gate out of 0 % shut after a breach in the phase', async () => {
    const context = await workspace.open()
    await context.services.rollout.move({ flag: FLAG, move: 'rollback', reason: 'start over' })
    workspace.history().guardWindows.recordGuardWindow({
      flag: FLAG,
      environment: 'local',
      windowStart: workspace.clock.iso(),
      windowSeconds: 60,
      decision: 'breach',
      figures: { treatment: { requests: 150, failures: 30 }, control: { requests: 4500, failures: 9 } }
    })
    workspace.clock.advanceSeconds(60)
    const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'advance', reason: 'try' }))
    expect((error.detail as MoveRefusedDetail).unmet).toEqual([
      'guards breached in this phase; out of 0 % the gate allows holds, not breaches'
    ])
  })

  it('refuses a move from a stale view without calling it drift or restarting the phase', async () => {
    const alice = await workspace.open('alice')
    const bob = await workspace.open('bob')
    const seenByAlice = (await alice.services.rollout.status(undefined, FLAG)).state
    workspace.clock.advanceSeconds(30)
    await bob.services.rollout.move({ flag: FLAG, move: 'back', reason: 'bob steps back' })
    const enteredAt = (await bob.services.rollout.status(undefined, FLAG)).phaseEnteredAt
    workspace.clock.advanceSeconds(30)

    const error = await rejectionOf(
      alice.services.rollout.move({ flag: FLAG, move: 'rollback', reason: 'from an old tab', expected: seenByAlice })
    )
    expect(error.code).toBe('conflict')
    expect(events(alice).at(-1)).toMatchObject({ kind: 'refused', outcome: 'refused', detail: { stale: true } })
    expect(events(alice).some((event) => event.kind === 'drift')).toBe(false)
    expect((await alice.services.rollout.status(undefined, FLAG)).phaseEnteredAt).toBe(enteredAt)
  })
})
