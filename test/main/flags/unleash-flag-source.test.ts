/**
 * The Unleash flag source against a real unleash-server (scripts/test-env/unleash.sh), features
 * created and changed through its Admin API as an operator would in Unleash's UI.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { UnleashFlagSource } from '@main/flags/unleash-flag-source'
import {
  TestUnleash,
  UNLEASH_ENVIRONMENT,
  UNLEASH_PROJECT,
  UNLEASH_TOKEN_VARIABLE,
  type StrategyInput
} from '@test/support/unleash-test-env'
import { rejectionOf } from '@test/support/rampart-error'

const unleash = new TestUnleash()
afterEach(() => unleash.cleanup())

function source(): UnleashFlagSource {
  return new UnleashFlagSource({
    url: unleash.url,
    project: UNLEASH_PROJECT,
    environment: UNLEASH_ENVIRONMENT,
    token: `\${${UNLEASH_TOKEN_VARIABLE}}`,
    env: { [UNLEASH_TOKEN_VARIABLE]: unleash.adminToken }
  })
}

/** The shape Rampart reads: a flexibleRollout with deny list and dates, an allow list beside it. */
function rampartShaped(flag: string, rollout: number): StrategyInput[] {
  const deny = { contextName: 'userId', operator: 'NOT_IN', values: ['blocked@example.com'] }
  return [
    {
      name: 'flexibleRollout',
      parameters: { rollout: String(rollout), stickiness: 'userId', groupId: flag },
      constraints: [
        deny,
        { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2025-10-26T23:59:59.999Z' },
        { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2026-06-01T12:00:00.000Z' }
      ]
    },
    {
      name: 'default',
      constraints: [{ contextName: 'userId', operator: 'IN', values: ['admin@example.com', ' qa@example.com '] }, deny]
    }
  ]
}

describe('UnleashFlagSource', () => {
  it("reads the flag's state from the environment's strategies", async () => {
    const flag = unleash.uniqueFlag()
    await unleash.createFeature(flag, rampartShaped(flag, 25), true)
    const snapshot = await source().read(flag)
    expect(snapshot.state).toEqual({
      enabled: true,
      rollout_percentage: 25,
      whitelist_users: ['admin@example.com', 'qa@example.com'],
      blacklist_users: ['blocked@example.com'],
      start_date: '2025-10-27',
      end_date: '2026-06-01T11:59:59.999Z'
    })
    expect(snapshot.writable).toMatchObject({ enabled: true, rollout_percentage: true, whitelist_users: false })
    expect(await source().listFlags()).toContain(flag)
  })

  it('refuses a feature that is not Rampart state, with every reason, and still lets a kill read it', async () => {
    const flag = unleash.uniqueFlag()
    await unleash.createFeature(
      flag,
      [{ name: 'flexibleRollout', parameters: { rollout: '30', stickiness: 'default', groupId: 'other' } }],
      true
    )
    const error = await rejectionOf(source().read(flag))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('read-only')
    expect(error.message).toContain('stickiness "default"')
    expect(error.message).toContain('groupId "other"')
    const forKill = await source().read(flag, { forKill: true })
    expect(forKill.state.enabled).toBe(true)
    await source().write(flag, { enabled: false }, forKill.revision, { forKill: true })
    expect(await unleash.enabled(flag)).toBe(false)
  })

  it('moves through the Admin API: the rollout strategy, then the switch', async () => {
    const flag = unleash.uniqueFlag()
    await unleash.createFeature(flag, rampartShaped(flag, 10), true)
    const flags = source()
    const advanced = await flags.write(flag, { rollout_percentage: 25 }, (await flags.read(flag)).revision)
    expect(advanced.state.rollout_percentage).toBe(25)
    const rollout = (await unleash.strategies(flag)).find((strategy) => strategy.name === 'flexibleRollout')!
    expect(rollout.parameters.rollout).toBe('25')
    const killed = await flags.write(flag, { enabled: false }, advanced.revision)
    expect(killed.state).toMatchObject({ enabled: false, rollout_percentage: 25 })
    const enabled = await flags.write(flag, { enabled: true, rollout_percentage: 0 }, killed.revision)
    expect(enabled.state).toMatchObject({ enabled: true, rollout_percentage: 0 })
    expect(await unleash.enabled(flag)).toBe(true)
  })

  it('refuses a move when the feature changed in Unleash since it was read, and never sets a list', async () => {
    const flag = unleash.uniqueFlag()
    await unleash.createFeature(flag, rampartShaped(flag, 10), true)
    const flags = source()
    const read = await flags.read(flag)
    const rollout = (await unleash.strategies(flag)).find((strategy) => strategy.name === 'flexibleRollout')!
    await unleash.setRollout(flag, rollout.id, 37)
    const conflict = await rejectionOf(flags.write(flag, { rollout_percentage: 25 }, read.revision))
    expect(conflict.code).toBe('conflict')
    expect((await flags.read(flag)).state.rollout_percentage).toBe(37)
    const fresh = await flags.read(flag)
    const readOnly = await rejectionOf(flags.write(flag, { whitelist_users: ['someone@example.com'] }, fresh.revision))
    expect(readOnly.code).toBe('refused')
    expect(readOnly.message).toContain('whitelist_users')
  })

  it('says which token is refused, never showing it', async () => {
    const flag = unleash.uniqueFlag()
    await unleash.createFeature(flag, rampartShaped(flag, 10), true)
    const wrong = new UnleashFlagSource({
      url: unleash.url,
      project: UNLEASH_PROJECT,
      environment: UNLEASH_ENVIRONMENT,
      token: '${WRONG_TOKEN}',
      env: { WRONG_TOKEN: 'user:not-a-token-of-this-server' }
    })
    const error = await rejectionOf(wrong.read(flag))
    expect(error.code).toBe('refused')
    expect(error.message).toContain('flag_source.token')
    expect(error.message).not.toContain('not-a-token-of-this-server')
  })
})
