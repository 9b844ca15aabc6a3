/**
 * `rampart flags eval` for a flag kept in a real Unleash server agrees with the Unleash Node SDK
 * (unleash-client, fed by the same server) for 10,000 ASCII user ids: allow and deny lists
 * (with case and space variants of their entries), the rollout bucket and the date gates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startUnleash, type Unleash } from 'unleash-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, requireBuiltCli, runRampart } from '@test/fixtures/rampart-cli'
import {
  TestUnleash,
  UNLEASH_ENVIRONMENT,
  UNLEASH_PROJECT,
  UNLEASH_TOKEN_VARIABLE
} from '@test/support/unleash-test-env'

const USERS = 10_000
const AT = '2026-03-01T12:00:00.000Z'
const LISTED = ['admin@example.com', 'qa@example.com', 'blocked@example.com', 'denied@example.com']

const unleash = new TestUnleash()
let dir: string
let client: Unleash | undefined

beforeAll(() => {
  requireBuiltCli()
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-unleash-eval-'))
})

afterAll(async () => {
  client?.destroy()
  await unleash.cleanup()
  rmSync(dir, { recursive: true, force: true })
})

/** Deterministic printable-ASCII ids, with the listed ids, their case variants and spaced copies among them. */
function asciiUsers(count: number): string[] {
  let seed = 0x2545f491
  const next = (): number => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 0x1_0000_0000
  }
  const users = new Set<string>()
  for (const listed of LISTED) {
    users.add(listed)
    users.add(listed.toUpperCase())
    users.add(` ${listed}`)
  }
  while (users.size < count) {
    const length = 1 + Math.floor(next() * 24)
    let id = ''
    for (let index = 0; index < length; index += 1) id += String.fromCharCode(0x21 + Math.floor(next() * 94))
    users.add(next() < 0.5 ? `user-${id}@example.com` : id)
  }
  return [...users]
}

describe('rampart flags eval on an Unleash flag', () => {
  it('agrees with the Unleash Node SDK for 10,000 ASCII user ids', async () => {
    const flag = unleash.uniqueFlag()
    const deny = { contextName: 'userId', operator: 'NOT_IN', values: ['blocked@example.com', 'denied@example.com'] }
    await unleash.createFeature(
      flag,
      [
        {
          name: 'flexibleRollout',
          parameters: { rollout: '37', stickiness: 'userId', groupId: flag },
          constraints: [
            deny,
            { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2026-01-01T00:00:00.000Z' },
            { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2026-12-31T00:00:00.000Z' }
          ]
        },
        {
          name: 'default',
          constraints: [
            { contextName: 'userId', operator: 'IN', values: ['admin@example.com', 'qa@example.com'] },
            deny
          ]
        }
      ],
      true
    )

    client = await startUnleash({
      url: `${unleash.url}/api`,
      appName: 'rampart-agreement-test',
      customHeaders: { Authorization: await unleash.clientToken() },
      disableMetrics: true,
      refreshInterval: 60_000
    })
    const users = asciiUsers(USERS)
    const usersFile = path.join(dir, 'users.txt')
    writeFileSync(usersFile, `${users.join('\n')}\n`)
    writeFileSync(
      path.join(dir, 'rampart.config.yaml'),
      [
        'environments:',
        '  fleet:',
        `    flag_source: { kind: unleash, url: "${unleash.url}", project: ${UNLEASH_PROJECT}, ` +
          `environment: ${UNLEASH_ENVIRONMENT}, token: "\${${UNLEASH_TOKEN_VARIABLE}}" }`,
        `    flags: [${flag}]`,
        ''
      ].join('\n')
    )
    const run = runRampart(['flags', 'eval', '--flag', flag, '--users-file', usersFile, '--at', AT, '--json'], {
      cwd: dir,
      env: { RAMPART_HOME: path.join(dir, 'home'), [UNLEASH_TOKEN_VARIABLE]: unleash.adminToken }
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const lines = jsonLines(run.stdout) as Array<{ user: string; enabled: boolean; reason: string }>
    expect(lines.map((line) => line.user)).toEqual(users)

    const disagreements = lines.filter(
      (line) => line.enabled !== client!.isEnabled(flag, { userId: line.user, currentTime: new Date(AT) })
    )
    expect(disagreements).toEqual([])
    const reasons = new Set(lines.map((line) => line.reason))
    expect([...reasons].sort()).toEqual(['blacklisted', 'in_rollout', 'outside_rollout', 'whitelisted'])
  }, 60_000)
})
