/**
 * Moves of one rollout from several operators (consoles, processes) at once: one move at a time
 * per flag source (the move lock), a kill that waits for a move in progress and then goes through,
 * every other move refused at once.
 */
import { spawn } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import { type RampartError } from '@shared/errors'
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

describe('RolloutService.move: two operators at once', () => {
  it(
    'lets a kill through when it meets another move at the same moment (it waits for the lock), ' +
      'and keeps the chain intact',
    async () => {
      const alice = await workspace.open('alice')
      const bob = await workspace.open('bob')
      await alice.services.rollout.status(undefined, FLAG)

      const [back, kill] = await Promise.allSettled([
        alice.services.rollout.move({ flag: FLAG, move: 'back', reason: 'alice steps back' }),
        bob.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'bob kills' })
      ])

      expect(kill.status).toBe('fulfilled')
      const killed = (kill as PromiseFulfilledResult<{ state: FlagState; event: HistoryEvent }>).value
      expect(killed.state.enabled).toBe(false)
      expect((await alice.services.flags.get(undefined, FLAG)).state).toMatchObject({ enabled: false })
      // The back either went first (the kill waited for it) or met the kill's lock and was refused at once.
      if (back.status === 'rejected') expect((back.reason as RampartError).code).toBe('conflict')
      const applied = alice.services.history.list({ flag: FLAG }).filter((event) => event.outcome === 'applied')
      expect(applied.at(-1)).toEqual(killed.event)
      expect(applied).toHaveLength(back.status === 'fulfilled' ? 2 : 1)
      expect(alice.services.history.verify().ok).toBe(true)
      expect(bob.services.history.verify().ok).toBe(true)
    }
  )

  it('lets the kill through in every round of five other moves racing one kill', async () => {
    for (let round = 0; round < 6; round++) {
      const fresh = new ServiceWorkspace({ envText: seedEnvText(25) })
      try {
        const operators = await Promise.all(['a', 'b', 'c', 'd', 'e', 'killer'].map((name) => fresh.open(name)))
        await operators[0]!.services.rollout.status(undefined, FLAG)
        const outcomes = await Promise.allSettled(
          operators.map((operator, index) =>
            operator.services.rollout.move({
              flag: FLAG,
              move: index === 5 ? 'kill' : (['back', 'rollback', 'advance'] as const)[index % 3]!,
              reason: `round ${round}`
            })
          )
        )
        const kill = outcomes[5]!
        expect(kill.status, `round ${round}: ${String((kill as PromiseRejectedResult).reason)}`).toBe('fulfilled')
        expect(fresh.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
        expect(operators[0]!.services.history.verify().ok).toBe(true)
      } finally {
        fresh.cleanup()
      }
    }
  })

  it('makes a kill wait for a move in progress and then go through; any other move is refused at once', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    const lockPath = `${workspace.envPath}.rampart-lock`
    try {
      writeFileSync(
        lockPath,
        JSON.stringify({
          actor: 'carol',
          pid: other.pid,
          host: os.hostname(),
          since: workspace.clock.iso(),
          token: 'c'
        })
      )
      const context = await workspace.open()
      const kill = context.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'incident' })
      const back = await rejectionOf(context.services.rollout.move({ flag: FLAG, move: 'back', reason: 'step back' }))
      expect(back.code).toBe('conflict')
      expect(back.message).toContain('carol (pid')
      // Refused while carol's move is still being written; the kill is still waiting for it.
      expect(existsSync(lockPath)).toBe(true)
      expect(workspace.readEnv()).toBe(seedEnvText(10))

      rmSync(lockPath)
      const killed = await kill
      expect(killed.state.enabled).toBe(false)
      expect(killed.event).toMatchObject({ kind: 'kill', outcome: 'applied', actor: 'tester' })
      expect(workspace.readEnv()).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    } finally {
      other.kill('SIGKILL')
    }
  })

  it(
    'refuses a move while another process is writing the same env file, ' + 'naming who, and records the refusal',
    async () => {
      const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
      try {
        writeFileSync(
          `${workspace.envPath}.rampart-lock`,
          JSON.stringify({
            actor: 'carol',
            pid: other.pid,
            host: os.hostname(),
            since: workspace.clock.iso(),
            token: 'carol'
          })
        )
        const context = await workspace.open()
        for (const move of ['rollback', 'kill'] as const) {
          // A kill waits a few seconds for the move in progress; a lock held longer refuses it too.
          const error = await rejectionOf(context.services.rollout.move({ flag: FLAG, move, reason: 'incident' }))
          expect(error.code).toBe('conflict')
          expect(error.message).toContain(`carol (pid ${other.pid}`)
          expect(error.message).toContain(`${workspace.envPath}.rampart-lock`)
          expect(workspace.readEnv()).toBe(seedEnvText(10))
          expect(events(context).at(-1)).toMatchObject({
            kind: 'refused',
            outcome: 'refused',
            actor: 'tester',
            detail: { move }
          })
        }
      } finally {
        other.kill('SIGKILL')
      }
    }
  )

  it('lets the second operator move after the first has finished, from the new state', async () => {
    const alice = await workspace.open('alice')
    const bob = await workspace.open('bob')
    await alice.services.rollout.move({ flag: FLAG, move: 'back', reason: 'alice steps back' })
    const result = await bob.services.rollout.move({ flag: FLAG, move: 'kill', reason: 'bob kills' })
    expect(result.state).toMatchObject({ enabled: false, rollout_percentage: 0 })
    expect(percentageOf(result.event.fromState)).toBe(0)
    expect(result.event.actor).toBe('bob')
  })
})
