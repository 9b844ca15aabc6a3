import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { EnvFileFlagSource } from '@main/flags/env-file-source'
import { evaluateFlag } from '@main/flags/core/flag-evaluation'
import { SEED_FLAG_ENV_MAPPING } from '@main/flags/core/flag-env-mapping'
import type { FlagState } from '@shared/flag-state'
import { seedEnvText } from '../fixtures/service-workspace'
import {
  DEMO_ENV_TEMPLATE,
  eventually,
  runDemoServiceToExit,
  startDemoService,
  type DemoEvent,
  type DemoServiceProcess
} from '../support/demo-service-process'

const FLAG = 'unified_llm_hub'
const FAST = { DEMO_RPS: '2000', DEMO_USERS: '500', DEMO_SEED: 'demo-server-test' }
const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function envText(fields: {
  enabled?: string
  rollout?: string
  whitelist?: string
  blacklist?: string
  start?: string
  end?: string
}): string {
  return [
    `FEATURE_UNIFIED_LLM_HUB=${fields.enabled ?? 'true'}`,
    `FEATURE_LLM_HUB_ROLLOUT=${fields.rollout ?? '50'}`,
    `FEATURE_LLM_HUB_WHITELIST=${fields.whitelist ?? 'admin@example.com'}`,
    `FEATURE_LLM_HUB_BLACKLIST=${fields.blacklist ?? ''}`,
    `FEATURE_LLM_HUB_START_DATE=${fields.start ?? '2025-10-27'}`,
    `FEATURE_LLM_HUB_END_DATE=${fields.end ?? ''}`,
    ''
  ].join('\n')
}

const running: DemoServiceProcess[] = []
async function start(text: string, env: Record<string, string> = {}): Promise<DemoServiceProcess> {
  const service = await startDemoService(text, { ...FAST, ...env })
  running.push(service)
  return service
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()))
})

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

function apiCalls(events: DemoEvent[], from = 0): DemoEvent[] {
  return events.slice(from).filter((event) => event.event_type === 'API_CALL' && event.source === undefined)
}

describe('the demo ops-center service', () => {
  for (const [name, text] of [
    ['the template', readFileSync(DEMO_ENV_TEMPLATE, 'utf8')],
    ['export, quotes, CRLF and comments', seedEnvText(25)],
    [
      'a disabled flag with both lists and both dates',
      envText({
        enabled: 'off',
        rollout: '10',
        whitelist: ' A@x.com ,b@x.com',
        blacklist: 'c@x.com',
        start: '2025-10-27T09:00:00+02:00',
        end: '2026-01-31'
      })
    ]
  ] as const) {
    it(`serves the flag's config exactly as Rampart's env-file source reads the file: ${name}`, async () => {
      const service = await start(text)
      const source = new EnvFileFlagSource({ path: service.envFile, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } })
      const { status, body } = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}`)
      expect(status).toBe(200)
      expect(body.config).toEqual((await source.read(FLAG)).state)
    })
  }

  it('refuses to start on an unreadable value, naming the file, the line and the variable', async () => {
    const { code, stderr } = await runDemoServiceToExit(envText({ rollout: 'ten' }))
    expect(code).toBe(1)
    expect(stderr).toMatch(/FEATURE_LLM_HUB_ROLLOUT=ten in \S+\.env line 2 is not a percentage/)
  })

  it('answers GET /api/v1/features/{flag} for the anonymous caller, or for ?user_id=', async () => {
    const service = await start(envText({ rollout: '50', whitelist: 'admin@example.com' }))
    const anonymous = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}`)
    expect(anonymous.body).toMatchObject({ flag: FLAG, enabled: false, reason: 'outside_rollout' })
    const admin = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}?user_id=ADMIN@example.com`)
    expect(admin.body).toMatchObject({ flag: FLAG, enabled: true, reason: 'whitelisted' })
  })

  it('lists its flags and a user’s enabled features, and answers 404 naming the flags it has', async () => {
    const service = await start(envText({ rollout: '0', whitelist: 'admin@example.com' }))
    const list = await getJson(`${service.baseUrl}/api/v1/features/`)
    expect(list.body.flags).toEqual([
      expect.objectContaining({ flag: FLAG, config: expect.objectContaining({ rollout_percentage: 0 }) })
    ])
    const user = await getJson(
      `${service.baseUrl}/api/v1/features/user/${encodeURIComponent('admin@example.com')}/enabled`
    )
    expect(user.body).toMatchObject({
      user_id: 'admin@example.com',
      enabled_features: [FLAG],
      flags: { [FLAG]: { enabled: true, reason: 'whitelisted' } }
    })
    const missing = await getJson(`${service.baseUrl}/api/v1/features/checkout_v2`)
    expect(missing.status).toBe(404)
    expect(missing.body.error).toBe(`no flag "checkout_v2" (flags: ${FLAG})`)
  })

  it('changes the flag in memory only with enable, disable and rollout, and its traffic follows', async () => {
    const text = envText({ rollout: '10' })
    const service = await start(text)
    const rollout = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/rollout/100`, { method: 'POST' })
    expect(rollout.body).toMatchObject({
      enabled: true,
      config: { enabled: true, rollout_percentage: 100 },
      reason: 'in_rollout'
    })
    let mark = service.events.length
    await eventually('200 requests after the rollout to 100 %', () =>
      apiCalls(service.events, mark).length >= 200 ? true : undefined
    )
    expect(apiCalls(service.events, mark).every((event) => (event.flags as Record<string, boolean>)[FLAG])).toBe(true)

    const disabled = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/disable`, { method: 'POST' })
    expect(disabled.body).toMatchObject({
      enabled: false,
      config: { enabled: false, rollout_percentage: 100 },
      reason: 'disabled'
    })
    mark = service.events.length
    await eventually('200 requests after disabling', () =>
      apiCalls(service.events, mark).length >= 200 ? true : undefined
    )
    expect(apiCalls(service.events, mark).some((event) => (event.flags as Record<string, boolean>)[FLAG])).toBe(false)

    const enabled = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/enable`, { method: 'POST' })
    expect(enabled.body).toMatchObject({ config: { enabled: true } })
    expect(readFileSync(service.envFile, 'utf8')).toBe(text)
  })

  it('refuses a rollout that is not a whole percentage, naming it', async () => {
    const service = await start(envText({}))
    const refused = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/rollout/12.5`, { method: 'POST' })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toBe('rollout percentage "12.5" is not a whole number from 0 to 100')
  })

  it('requires the bearer token on the admin endpoints when DEMO_ADMIN_TOKEN is set', async () => {
    const service = await start(envText({}), { DEMO_ADMIN_TOKEN: 'tok-123' })
    const without = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/disable`, { method: 'POST' })
    expect(without.status).toBe(401)
    const withToken = await getJson(`${service.baseUrl}/api/v1/features/${FLAG}/disable`, {
      method: 'POST',
      headers: { Authorization: 'Bearer tok-123' }
    })
    expect(withToken.status).toBe(200)
  })

  it('serves the new hub to users who get the feature and redirects the others to the old page', async () => {
    const service = await start(envText({ rollout: '0', whitelist: 'admin@example.com' }))
    const hub = await fetch(`${service.baseUrl}/admin/llm-hub?user_id=admin@example.com`, { redirect: 'manual' })
    expect(hub.status).toBe(200)
    expect(await hub.text()).toContain('data-page="llm-hub"')
    const other = await fetch(`${service.baseUrl}/admin/llm-hub?user_id=user-0001@example.com`, { redirect: 'manual' })
    expect(other.status).toBe(302)
    expect(other.headers.get('location')).toBe('/admin/llm-provider-keys?user_id=user-0001%40example.com')
    const old = await fetch(`${service.baseUrl}/admin/llm-provider-keys`)
    expect(old.status).toBe(200)
    expect(await old.text()).toContain('data-page="llm-provider-keys"')
  })

  it('reports status, start time, env file and loaded flags on /health', async () => {
    const service = await start(envText({}), { DEMO_INSTANCE: 'instance-7' })
    const { status, body } = await getJson(`${service.baseUrl}/health`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      status: 'ok',
      instance: 'instance-7',
      env_file: service.envFile,
      flags_loaded: [FLAG]
    })
    expect(body.started_at).toMatch(ISO_WITH_MS)
  })

  it(
    'writes API_CALL lines with the canonical fields, ' + 'each user served what the flag rules give at that instant',
    async () => {
      const text = envText({ rollout: '50', whitelist: 'admin@example.com', blacklist: 'user-0003@example.com' })
      const service = await start(text)
      const state: FlagState = (
        await new EnvFileFlagSource({ path: service.envFile, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } }).read(FLAG)
      ).state
      await eventually('1,000 API_CALL lines', () => (apiCalls(service.events).length >= 1000 ? true : undefined))
      const calls = apiCalls(service.events)
      for (const call of calls) {
        expect(Object.keys(call)).toEqual([
          'timestamp',
          'event_type',
          'user_id',
          'status_code',
          'duration_ms',
          'endpoint',
          'method',
          'flags'
        ])
        expect(call.timestamp).toMatch(ISO_WITH_MS)
        expect(call.user_id).toMatch(/^(user-\d{4}@example\.com|admin@example\.com)$/)
        expect(Number.isInteger(call.status_code) && Number.isInteger(call.duration_ms)).toBe(true)
        const expected = evaluateFlag(FLAG, state, call.user_id as string, Date.parse(call.timestamp as string)).enabled
        expect((call.flags as Record<string, boolean>)[FLAG]).toBe(expected)
      }
      const served = calls.map((call) => (call.flags as Record<string, boolean>)[FLAG])
      expect(served).toContain(true)
      expect(served).toContain(false)
      expect(service.otherLines).toEqual([])
    }
  )

  it('writes FEATURE_FLAG evaluation lines with the flag, the outcome, the reason and the user', async () => {
    const service = await start(envText({ rollout: '50' }), { DEMO_FLAG_EVENT_EVERY: '5' })
    const state = (
      await new EnvFileFlagSource({ path: service.envFile, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } }).read(FLAG)
    ).state
    const evaluations = await eventually('50 FEATURE_FLAG lines', () => {
      const found = service.events.filter((event) => event.event_type === 'FEATURE_FLAG')
      return found.length >= 50 ? found : undefined
    })
    for (const event of evaluations) {
      const expected = evaluateFlag(FLAG, state, event.user_id as string, Date.parse(event.timestamp as string))
      expect(event).toEqual({
        timestamp: event.timestamp,
        event_type: 'FEATURE_FLAG',
        user_id: event.user_id,
        flag: FLAG,
        enabled: expected.enabled,
        reason: expected.reason
      })
    }
  })

  it('moves the treatment failure rate when faults are injected at run time, leaving control as it was', async () => {
    const service = await start(envText({ rollout: '50' }), {
      DEMO_FAULTS: JSON.stringify({ treatment: { failure_rate: 0 }, control: { failure_rate: 0 } })
    })
    expect((await getJson(`${service.baseUrl}/demo/faults`)).body).toEqual({
      treatment: { failure_rate: 0, latency_ms: 120, latency_jitter_ms: 30 },
      control: { failure_rate: 0, latency_ms: 120, latency_jitter_ms: 30 }
    })
    const cohort = (event: DemoEvent): string =>
      (event.flags as Record<string, boolean>)[FLAG] ? 'treatment' : 'control'
    const failureRate = (events: DemoEvent[]): number =>
      events.filter((event) => (event.status_code as number) >= 500).length / events.length

    await eventually('400 treatment requests before the change', () =>
      apiCalls(service.events).filter((event) => cohort(event) === 'treatment').length >= 400 ? true : undefined
    )
    const sentAt = Date.now()
    const changed = await getJson(`${service.baseUrl}/demo/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ treatment: { failure_rate: 0.5, latency_ms: 400 } })
    })
    const answeredAt = Date.now()
    expect(changed.body).toEqual({
      treatment: { failure_rate: 0.5, latency_ms: 400, latency_jitter_ms: 30 },
      control: { failure_rate: 0, latency_ms: 120, latency_jitter_ms: 30 }
    })
    const after = (events: DemoEvent[]): DemoEvent[] =>
      apiCalls(events).filter((event) => Date.parse(event.timestamp as string) > answeredAt)
    await eventually('400 treatment and 400 control requests after the change', () => {
      const later = after(service.events)
      return later.filter((event) => cohort(event) === 'treatment').length >= 400 &&
        later.filter((event) => cohort(event) === 'control').length >= 400
        ? true
        : undefined
    })
    const before = apiCalls(service.events).filter((event) => Date.parse(event.timestamp as string) < sentAt)
    const later = after(service.events)
    expect(failureRate(before.filter((event) => cohort(event) === 'treatment'))).toBe(0)
    const treatmentRate = failureRate(later.filter((event) => cohort(event) === 'treatment'))
    expect(treatmentRate).toBeGreaterThan(0.35)
    expect(treatmentRate).toBeLessThan(0.65)
    expect(failureRate(later.filter((event) => cohort(event) === 'control'))).toBe(0)
  })

  it('refuses a fault setting out of range, naming the cohort and the field', async () => {
    const service = await start(envText({}))
    const refused = await getJson(`${service.baseUrl}/demo/faults`, {
      method: 'POST',
      body: JSON.stringify({ treatment: { failure_rate: 1.5 } })
    })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toBe(
      'POST /demo/faults: treatment.failure_rate 1.5 is not a fraction from 0 to 1 (0.2 = 20 % of requests fail)'
    )
  })

  it('generates the same requests in the same order for the same DEMO_SEED', async () => {
    const first = await start(envText({ rollout: '50' }), { DEMO_SEED: 'same-seed' })
    const second = await start(envText({ rollout: '50' }), { DEMO_SEED: 'same-seed' })
    const signature = (service: DemoServiceProcess): string[] =>
      apiCalls(service.events)
        .slice(0, 300)
        .map((event) => `${event.user_id} ${event.method} ${event.endpoint} ${event.status_code} ${event.duration_ms}`)
    await eventually('300 requests from each', () =>
      apiCalls(first.events).length >= 300 && apiCalls(second.events).length >= 300 ? true : undefined
    )
    expect(signature(first)).toEqual(signature(second))
  })

  it('exits with 0 on SIGTERM', async () => {
    const service = await start(envText({}))
    await getJson(`${service.baseUrl}/health`)
    expect(await service.stop()).toBe(0)
  })
})
