import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { RampartError } from '@shared/errors'
import { fetchServiceText, serviceBaseUrl, shownBaseUrl } from '@main/platform/service-http'

const NAMES = { field: 'guards.url', example: 'http://127.0.0.1:9090', tokenField: 'guards.token' }

function refusal(text: string): RampartError {
  try {
    serviceBaseUrl(text, NAMES)
  } catch (error) {
    expect(error).toBeInstanceOf(RampartError)
    return error as RampartError
  }
  throw new Error(`expected "${text}" to be refused`)
}

describe('serviceBaseUrl', () => {
  it('keeps a path prefix with a trailing slash and drops the query and fragment', () => {
    const base = serviceBaseUrl('http://127.0.0.1:9090/prom?x=1#top', NAMES)
    expect(base.toString()).toBe('http://127.0.0.1:9090/prom/')
    expect(new URL('api/v1/query', base).toString()).toBe('http://127.0.0.1:9090/prom/api/v1/query')
    expect(shownBaseUrl(base)).toBe('http://127.0.0.1:9090/prom')
  })

  it('names the field and an example for text that is not a URL', () => {
    const error = refusal('127.0.0.1:9090 ')
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe('guards.url "127.0.0.1:9090 " is not a URL (e.g. http://127.0.0.1:9090)')
  })

  it('refuses a scheme other than http and https', () => {
    expect(refusal('ftp://127.0.0.1/').message).toBe(
      'guards.url "ftp://127.0.0.1/" must start with http:// or https://'
    )
  })

  it('refuses a user name or password without repeating them, pointing at the token field', () => {
    const error = refusal('https://ops:hunter2@metrics.example:9090/')
    expect(error.message).toContain('guards.url https://metrics.example:9090/ carries a user name or password')
    expect(error.message).toContain('guards.token')
    expect(error.message).not.toMatch(/ops|hunter2/)
  })
})

describe('fetchServiceText', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
  })

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<URL> {
    const server = createServer(handler)
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)
  }

  it('returns any status with its whole body', async () => {
    const base = await serve((request, response) => {
      response.writeHead(503, { 'content-type': 'text/plain' })
      response.end(`not ready for ${request.method} ${request.url}`)
    })
    const answer = await fetchServiceText(new URL('-/ready', base), {}, { timeoutMs: 5_000, subject: 'Prometheus' })
    expect(answer).toEqual({ status: 503, text: 'not ready for GET /-/ready' })
  })

  it('does not follow a redirect, so a token never goes where it was not configured to', async () => {
    let followed = false
    const base = await serve((request, response) => {
      if (request.url === '/elsewhere') followed = true
      response.writeHead(302, { location: '/elsewhere' })
      response.end()
    })
    const failure = await fetchServiceText(
      new URL('api', base),
      {},
      {
        timeoutMs: 5_000,
        subject: 'Prometheus',
        where: 'GET /api'
      }
    ).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RampartError)
    expect((failure as RampartError).code).toBe('unreachable')
    expect((failure as RampartError).message).toMatch(/^Prometheus is unreachable: GET \/api failed: /)
    expect(followed).toBe(false)
  })
})
