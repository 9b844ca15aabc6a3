import { RampartError } from '@shared/errors'
import { resolveSecretReference } from '@main/platform/secret-reference'
import type { PrometheusVectorSample } from './core/prometheus-window'
import type { MetricsProvider } from './metrics-provider'

export interface PrometheusProviderOptions {
  /** The server's base URL, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  url: string
  /** A `${VAR}` reference for a bearer token, resolved at each request; never kept or shown. */
  token?: string
  env?: Readonly<Record<string, string | undefined>>
  tokenField?: string
  /** Per request, answer included; 5 s by default. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000

/** Prometheus's HTTP API: `/-/ready` and instant queries (`/api/v1/query`) at a given time. */
export class PrometheusProvider implements MetricsProvider {
  readonly kind = 'prometheus' as const
  readonly origin: string
  private readonly base: URL
  private readonly timeoutMs: number

  constructor(private readonly options: PrometheusProviderOptions) {
    let base: URL
    try {
      base = new URL(options.url)
    } catch {
      throw new RampartError('bad_input', `guards.url "${options.url}" is not a URL (e.g. http://127.0.0.1:9090)`)
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/'
    base.search = ''
    base.hash = ''
    base.username = ''
    base.password = ''
    this.base = base
    this.origin = `Prometheus at ${base.toString().replace(/\/$/, '')}`
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  async isOnline(): Promise<void> {
    const { status, text } = await this.request(new URL('-/ready', this.base))
    if (status !== 200) {
      throw new RampartError(
        'unreachable',
        `${this.origin} is not ready (GET /-/ready answered HTTP ${status}: ${excerpt(text)})`
      )
    }
  }

  async runQuery(query: string, atMs: number, field: string): Promise<PrometheusVectorSample[]> {
    const url = new URL('api/v1/query', this.base)
    url.searchParams.set('query', query)
    url.searchParams.set('time', (atMs / 1000).toFixed(3))
    const { status, text } = await this.request(url)
    let body: { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | undefined
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      body = undefined
    }
    if (status === 400 || status === 422 || body?.status === 'error') {
      const says = typeof body?.error === 'string' ? body.error : excerpt(text)
      throw new RampartError('bad_input', `${this.origin} refused ${field} (HTTP ${status}): ${says}`, { query })
    }
    if (status !== 200 || body === undefined) {
      throw new RampartError('failed', `${this.origin} answered ${field} with HTTP ${status}: ${excerpt(text)}`)
    }
    const result = body.data?.result
    if (body.data?.resultType !== 'vector' || !Array.isArray(result)) {
      throw new RampartError(
        'bad_input',
        `${field} must answer an instant vector with one value per cohort; ${this.origin} answered a ` +
          `${String(body.data?.resultType)}`,
        { query }
      )
    }
    return result as PrometheusVectorSample[]
  }

  private async request(url: URL): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (this.options.token !== undefined) {
      const token = resolveSecretReference(
        this.options.token,
        this.options.env ?? process.env,
        this.options.tokenField ?? 'guards.token'
      )
      headers.Authorization = `Bearer ${token}`
    }
    const signal = AbortSignal.timeout(this.timeoutMs)
    try {
      const response = await fetch(url, { headers, signal, redirect: 'error' })
      const text = await response.text()
      if (response.status === 401 || response.status === 403) {
        throw new RampartError(
          'refused',
          `${this.origin} refused the request (HTTP ${response.status}); check guards.token of this environment`
        )
      }
      return { status: response.status, text }
    } catch (error) {
      if (error instanceof RampartError) throw error
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      const why = signal.aborted
        ? `did not answer within ${this.timeoutMs / 1000} s`
        : cause?.code === 'ECONNREFUSED'
          ? 'refused the connection (is it running?)'
          : `failed: ${cause?.message ?? (error as Error).message}`
      throw new RampartError('unreachable', `${this.origin} is unreachable: ${why}`, { url: this.origin })
    }
  }
}

function excerpt(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ')
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}…` : line)
}
