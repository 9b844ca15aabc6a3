import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpFlagSource } from '@main/flags/http-flag-source'
import { freePort } from '@test/support/docker-test-env'
import { startDemoService, type DemoServiceProcess } from '@test/support/demo-service-process'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'
const ENV_TEXT = [
  'FEATURE_UNIFIED_LLM_HUB=true',
  'FEATURE_LLM_HUB_ROLLOUT=10',
  'FEATURE_LLM_HUB_WHITELIST=admin@example.com',
  'FEATURE_LLM_HUB_BLACKLIST=',
  'FEATURE_LLM_HUB_START_DATE=2025-10-27',
  'FEATURE_LLM_HUB_END_DATE=',
  ''
].join('\n')

const services: DemoServiceProcess[] = []
const servers: Server[] = []

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()))
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function demo(env: Record<string, string> = {}): Promise<DemoServiceProcess> {
  // No traffic: these tests look at the API only.
  const service = await startDemoService(ENV_TEXT, { DEMO_RPS: '0', ...env })
  services.push(service)
  return service
}

async function post(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST' })
  expect(response.status).toBe(200)
}

describe('HttpFlagSource', () => {
  it("reads a flag's state from the API's config, with only enabled and rollout_percentage writable", async () => {
    const service = await demo()
    const snapshot = await new HttpFlagSource({ baseUrl: service.baseUrl }).read(FLAG)
    expect(snapshot).toMatchObject({
      flag: FLAG,
      state: {
        enabled: true,
        rollout_percentage: 10,
        whitelist_users: ['admin@example.com'],
        blacklist_users: [],
        start_date: '2025-10-27',
        end_date: null
      },
      writable: {
        enabled: true,
        rollout_percentage: true,
        whitelist_users: false,
        blacklist_users: false,
        start_date: false,
        end_date: false
      },
      origin: service.baseUrl
    })
  })

  it('lists the flags the API serves', async () => {
    const service = await demo()
    expect(await new HttpFlagSource({ baseUrl: `${service.baseUrl}/` }).listFlags()).toEqual([FLAG])
  })

  it('keeps the revision while the flag is unchanged and changes it when the flag changes', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const first = await source.read(FLAG)
    expect((await source.read(FLAG)).revision).toBe(first.revision)
    await post(`${service.baseUrl}/api/v1/features/${FLAG}/rollout/25`)
    expect((await source.read(FLAG)).revision).not.toBe(first.revision)
  })

  it('writes a rollout percentage through POST rollout and returns what the API then reads', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const read = await source.read(FLAG)
    const written = await source.write(FLAG, { rollout_percentage: 25 }, read.revision)
    expect(written.state).toEqual({ ...read.state, rollout_percentage: 25 })
    const served = (await (await fetch(`${service.baseUrl}/api/v1/features/${FLAG}`)).json()) as {
      config: { rollout_percentage: number }
    }
    expect(served.config.rollout_percentage).toBe(25)
  })

  it('disables and enables the flag through POST disable and enable', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const killed = await source.write(FLAG, { enabled: false }, (await source.read(FLAG)).revision)
    expect(killed.state.enabled).toBe(false)
    const revived = await source.write(FLAG, { enabled: true, rollout_percentage: 0 }, killed.revision)
    expect(revived.state).toMatchObject({ enabled: true, rollout_percentage: 0 })
  })

  it('refuses a write when the flag changed since it was read, and changes nothing', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const read = await source.read(FLAG)
    await post(`${service.baseUrl}/api/v1/features/${FLAG}/rollout/50`)
    const error = await rejectionOf(source.write(FLAG, { rollout_percentage: 25 }, read.revision))
    expect(error.code).toBe('conflict')
    expect(error.message).toBe(
      `flag ${FLAG} at ${service.baseUrl} changed since it was read; read it again, check the change, and retry`
    )
    expect((await source.read(FLAG)).state.rollout_percentage).toBe(50)
  })

  it('refuses to change the fields the API cannot set, naming them, and changes nothing', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const read = await source.read(FLAG)
    const error = await rejectionOf(
      source.write(
        FLAG,
        { rollout_percentage: 25, whitelist_users: ['someone@example.com'], end_date: '2026-01-01' },
        read.revision
      )
    )
    expect(error.code).toBe('refused')
    expect(error.message).toContain('cannot set whitelist_users, end_date of flag unified_llm_hub')
    expect((await source.read(FLAG)).state.rollout_percentage).toBe(10)
  })

  it('accepts read-only fields given with the value they already have', async () => {
    const service = await demo()
    const source = new HttpFlagSource({ baseUrl: service.baseUrl })
    const read = await source.read(FLAG)
    const written = await source.write(FLAG, { ...read.state, rollout_percentage: 25 }, read.revision)
    expect(written.state.rollout_percentage).toBe(25)
  })

  it('names the flag the API does not have', async () => {
    const service = await demo()
    const error = await rejectionOf(new HttpFlagSource({ baseUrl: service.baseUrl }).read('checkout_v2'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(`flag API ${service.baseUrl} has no flag "checkout_v2"`)
  })

  it('sends the bearer token from the ${VAR} reference, and says so when the API refuses without it', async () => {
    const service = await demo({ DEMO_ADMIN_TOKEN: 'tok-123' })
    const withToken = new HttpFlagSource({
      baseUrl: service.baseUrl,
      token: '${FLAG_API_TOKEN}',
      env: { FLAG_API_TOKEN: 'tok-123' }
    })
    const read = await withToken.read(FLAG)
    expect((await withToken.write(FLAG, { rollout_percentage: 25 }, read.revision)).state.rollout_percentage).toBe(25)

    const without = new HttpFlagSource({ baseUrl: service.baseUrl })
    const error = await rejectionOf(
      without.write(FLAG, { rollout_percentage: 50 }, (await without.read(FLAG)).revision)
    )
    expect(error.code).toBe('refused')
    expect(error.message).toContain(`POST ${service.baseUrl}/api/v1/features/${FLAG}/rollout/50 (HTTP 401`)
  })

  it('names the variable when the token reference cannot be resolved', async () => {
    const service = await demo()
    const source = new HttpFlagSource({
      baseUrl: service.baseUrl,
      token: '${FLAG_API_TOKEN}',
      env: {},
      tokenField: 'environment "remote" flag_source.token'
    })
    const error = await rejectionOf(source.read(FLAG))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('environment "remote" flag_source.token refers to ${FLAG_API_TOKEN}')
  })

  it('reports a closed port as unreachable, naming the URL', async () => {
    const port = await freePort()
    const error = await rejectionOf(new HttpFlagSource({ baseUrl: `http://127.0.0.1:${port}` }).read(FLAG))
    expect(error.code).toBe('unreachable')
    expect(error.message).toBe(
      `flag API is unreachable: GET http://127.0.0.1:${port}/api/v1/features/${FLAG} failed: connection refused (is the service running?)`
    )
  })

  it('reports a service that accepts the connection but never answers as unreachable after the timeout', async () => {
    const sockets: Socket[] = []
    const silent = createServer((socket) => sockets.push(socket))
    servers.push(silent)
    silent.on('close', () => sockets.forEach((socket) => socket.destroy()))
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port))
    )
    const error = await rejectionOf(
      new HttpFlagSource({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 }).read(FLAG)
    )
    sockets.forEach((socket) => socket.destroy())
    expect(error.code).toBe('unreachable')
    expect(error.message).toBe(
      `flag API is unreachable: GET http://127.0.0.1:${port}/api/v1/features/${FLAG} did not answer within 0.3 s`
    )
  })

  it('refuses credentials written into the base URL without showing them, and names the token field', async () => {
    const service = await demo()
    const error = await rejectionOf(
      (async () => new HttpFlagSource({ baseUrl: `http://ops:secret@127.0.0.1:${service.port}` }))()
    )
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(`flag API base URL ${service.baseUrl}/ carries a user name or password`)
    expect(error.message).toContain('flag_source.token')
    expect(error.message).not.toContain('secret')
  })
})
