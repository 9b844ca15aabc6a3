import { describe, expect, it } from 'vitest'
import { evaluateFlag } from '@main/flags/core/flag-evaluation'
import { readUnleashEnvironment, type UnleashStrategy } from '@main/flags/core/unleash-feature'

const FLAG = 'llm_hub'
const DENY = { contextName: 'userId', operator: 'NOT_IN', values: ['blocked@example.com'] }

function rollout(percentage: string, extra: Partial<UnleashStrategy> = {}): UnleashStrategy {
  return {
    id: 'r',
    name: 'flexibleRollout',
    parameters: { rollout: percentage, stickiness: 'userId', groupId: FLAG },
    constraints: [DENY],
    ...extra
  }
}

const allowList: UnleashStrategy = {
  id: 'a',
  name: 'default',
  constraints: [{ contextName: 'userId', operator: 'IN', values: ['admin@example.com', ''] }, DENY]
}

describe('readUnleashEnvironment', () => {
  it('reads the rollout, the lists and the gates, dates one millisecond on from Unleash’s strict comparisons', () => {
    const reading = readUnleashEnvironment(FLAG, {
      name: 'production',
      enabled: true,
      strategies: [
        rollout('50', {
          constraints: [
            DENY,
            { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2025-10-26T23:59:59.999Z' },
            { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2025-12-01T00:00:00.000Z' }
          ]
        }),
        allowList
      ]
    })
    expect(reading).toEqual({
      ok: true,
      rolloutStrategyId: 'r',
      state: {
        enabled: true,
        rollout_percentage: 50,
        whitelist_users: ['admin@example.com'],
        blacklist_users: ['blocked@example.com'],
        start_date: '2025-10-27',
        end_date: '2025-11-30'
      }
    })
  })

  it('reads a userWithId strategy as the allow list and ignores disabled strategies', () => {
    const reading = readUnleashEnvironment(FLAG, {
      name: 'production',
      enabled: false,
      strategies: [
        rollout('10', { constraints: [] }),
        { id: 'u', name: 'userWithId', parameters: { userIds: 'a@example.com, b@example.com' } },
        { id: 'x', name: 'remoteAddress', parameters: { IPs: '203.0.113.7' }, disabled: true }
      ]
    })
    expect(reading.ok && reading.state).toMatchObject({
      enabled: false,
      rollout_percentage: 10,
      whitelist_users: ['a@example.com', 'b@example.com']
    })
  })

  it('names every reason a feature cannot be Rampart state', () => {
    const reading = readUnleashEnvironment(FLAG, {
      name: 'production',
      enabled: true,
      strategies: [
        rollout('12.5', { parameters: { rollout: '12.5', stickiness: 'sessionId', groupId: 'other' }, segments: [1] }),
        { id: 'a', name: 'default', constraints: [{ contextName: 'appName', operator: 'IN', values: ['x'] }] }
      ]
    })
    expect(reading.ok).toBe(false)
    expect(!reading.ok && reading.reasons).toEqual([
      'strategy "flexibleRollout" (r) uses segments',
      'strategy "flexibleRollout" (r) has stickiness "sessionId"; Rampart\'s buckets are by userId',
      'strategy "flexibleRollout" (r) has groupId "other"; Rampart\'s buckets need the flag\'s name',
      'strategy "flexibleRollout" (r) has rollout "12.5", not a whole 0–100',
      'strategy "default" (a): constraint appName IN has no place in Rampart\'s state',
      'strategy "default" (a) is neither the rollout nor an allow list of user ids',
      'strategy "default" (a) does not carry the same userId NOT_IN list as the others'
    ])
  })

  it('refuses an environment without strategies rather than guessing who is in', () => {
    const reading = readUnleashEnvironment(FLAG, { name: 'production', enabled: true, strategies: [] })
    expect(reading).toEqual({ ok: false, enabled: true, reasons: ['no strategy in environment "production"'] })
  })
})

describe("Unleash's evaluation rules", () => {
  const state = {
    enabled: true,
    rollout_percentage: 100,
    whitelist_users: ['admin@example.com'],
    blacklist_users: ['blocked@example.com'],
    start_date: null,
    end_date: null
  }
  const at = Date.parse('2026-01-01T00:00:00Z')

  it('match list entries exactly where Rampart ignores case', () => {
    expect(evaluateFlag(FLAG, state, 'BLOCKED@example.com', at).reason).toBe('blacklisted')
    expect(evaluateFlag(FLAG, state, 'BLOCKED@example.com', at, 'unleash').reason).toBe('in_rollout')
    expect(evaluateFlag(FLAG, state, 'blocked@example.com', at, 'unleash').reason).toBe('blacklisted')
  })

  it('never put a request without a user in the rollout, even at 100 %', () => {
    expect(evaluateFlag(FLAG, state, null, at).enabled).toBe(true)
    expect(evaluateFlag(FLAG, state, null, at, 'unleash')).toEqual({
      enabled: false,
      reason: 'outside_rollout',
      bucket: null
    })
  })
})
