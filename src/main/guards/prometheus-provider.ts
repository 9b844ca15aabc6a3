import { RampartError } from '@shared/errors'
import { resolveSecretReference } from '@main/platform/secret-reference'
import { fetchServiceText, serviceBaseUrl, shownBaseUrl } from '@main/platform/service-http'
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
    this.base = serviceBaseUrl(options.url, {
      field: 'guards.url',
      example: 'http://127.0.0.1:9090',
      tokenField: options.tokenField ?? 'guards.token'
    })
    this.origin = `Prometheus at ${shownBaseUrl(this.base)}`
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
    const answer = await fetchServiceText(url, { headers }, { timeoutMs: this.timeoutMs, subject: this.origin })
    if (answer.status === 401 || answer.status === 403) {
      throw new RampartError(
        'refused',
        `${this.origin} refused the request (HTTP ${answer.status}); check guards.token of this environment`
      )
    }
    return answer
  }
}

function excerpt(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ')
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}…` : line)
}
