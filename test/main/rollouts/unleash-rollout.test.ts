/**
 * Rollout moves on a flag kept in a real Unleash server (scripts/test-env/unleash.sh): each move
 * written through the Admin API and recorded, and a change made in Unleash itself shown as drift,
 * as a hand edit of an env file is.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { MoveConflictDetail } from '@shared/error-details'
import { FakeClock } from '@test/fixtures/service-workspace'
import {
  TestUnleash,
  UNLEASH_ENVIRONMENT,
  UNLEASH_PROJECT,
  UNLEASH_TOKEN_VARIABLE
} from '@test/support/unleash-test-env'
import { rejectionOf } from '@test/support/rampart-error'

const unleash = new TestUnleash()
let dir: string
let flag: string
/** A feature whose rollout is by session, which Rampart cannot read. */
let odd: string
let context: AppContext

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-unleash-rollout-'))
  mkdirSync(path.join(dir, 'home'))
  flag = unleash.uniqueFlag()
  await unleash.createFeature(
    flag,
    [{ name: 'flexibleRollout', parameters: { rollout: '25', stickiness: 'userId', groupId: flag } }],
    true
  )
  odd = unleash.uniqueFlag()
  await unleash.createFeature(
    odd,
    [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'sessionId', groupId: odd } }],
    true
  )
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    [
      'environments:',
      '  fleet:',
      `    flag_source: { kind: unleash, url: "${unleash.url}", project: ${UNLEASH_PROJECT}, ` +
        `environment: ${UNLEASH_ENVIRONMENT}, token: "\${${UNLEASH_TOKEN_VARIABLE}}" }`,
      `    flags: [${flag}, ${odd}]`,
      ''
    ].join('\n')
  )
  context = await createAppContext({
    cwd: dir,
    env: {
      RAMPART_HOME: path.join(dir, 'home'),
      RAMPART_ACTOR: 'tester',
      [UNLEASH_TOKEN_VARIABLE]: unleash.adminToken
    },
    clock: new FakeClock('2026-03-01T12:00:00.000Z')
  })
})

afterEach(async () => {
  context.close()
  await unleash.cleanup()
  rmSync(dir, { recursive: true, force: true })
})

async function rollout(): Promise<string> {
  return (await unleash.strategies(flag)).find((strategy) => strategy.name === 'flexibleRollout')!.parameters.rollout!
}

describe('rollout moves on an Unleash flag', () => {
  it('rolls back, kills and enables through the Admin API, each move recorded, the token nowhere', async () => {
    const moves = context.services.rollout
    expect((await moves.status('fleet', flag)).position).toEqual({ kind: 'phase', phase: 25 })
    await moves.move({ environment: 'fleet', flag, move: 'rollback', reason: 'error spike' })
    expect(await rollout()).toBe('0')
    await moves.move({ environment: 'fleet', flag, move: 'kill', reason: 'still failing' })
    expect(await unleash.enabled(flag)).toBe(false)
    await moves.move({ environment: 'fleet', flag, move: 'enable', reason: 'fixed' })
    expect(await unleash.enabled(flag)).toBe(true)
    expect(await rollout()).toBe('0')
    const kinds = context.services.history.list({ flag }).map((event) => [event.kind, event.outcome])
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['rollback', 'applied'],
        ['kill', 'applied'],
        ['enable', 'applied']
      ])
    )
    // The Admin API token is a reference in the workspace; nothing Rampart keeps holds its value.
    for (const file of readdirSync(path.join(dir, 'home'))) {
      expect(readFileSync(path.join(dir, 'home', file)).includes(unleash.adminToken), file).toBe(false)
    }
  })

  it('shows a change made in Unleash itself as drift and refuses the move chosen before it', async () => {
    const moves = context.services.rollout
    await moves.move({ environment: 'fleet', flag, move: 'back', reason: 'to 10' })
    expect(await rollout()).toBe('10')
    const strategy = (await unleash.strategies(flag)).find((entry) => entry.name === 'flexibleRollout')!
    await unleash.setRollout(flag, strategy.id, 37)

    const error = await rejectionOf(moves.move({ environment: 'fleet', flag, move: 'rollback', reason: 'to 0' }))
    expect(error.code).toBe('conflict')
    expect((error.detail as MoveConflictDetail).current).toMatchObject({ rollout_percentage: 37 })
    expect(context.services.history.list({ flag }).at(-1)).toMatchObject({
      kind: 'drift',
      outcome: 'refused'
    })
    expect((await moves.status('fleet', flag)).position).toEqual({ kind: 'drift', percentage: 37, phaseBelow: 25 })
    expect(await rollout()).toBe('37')
  })

  it('shows a feature it cannot read as Rampart state read-only, with the reason, beside a readable one', async () => {
    const views = await context.services.flags.list('fleet')
    expect(views.map((view) => [view.flag, view.source, view.state?.rollout_percentage ?? null])).toEqual([
      [flag, 'unleash', 25],
      [odd, 'unleash', null]
    ])
    const unreadable = views[1]!
    expect(unreadable.writable).toBeNull()
    expect(unreadable.error?.code).toBe('refused')
    expect(unreadable.error?.message).toContain('read-only')
    expect(unreadable.error?.message).toContain('stickiness "sessionId"')
  })
})
