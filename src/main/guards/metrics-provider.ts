import type { EnvironmentGuards } from '@main/workspace/core/workspace-schema'
import type { PrometheusVectorSample } from './core/prometheus-window'
import { PrometheusProvider } from './prometheus-provider'

/**
 * A metrics server guard windows can be read from, as Flagger's metric providers are: run a
 * query, say whether it is online. One file per kind; `metricsProviderFor` picks it from the
 * environment's `guards` block. The service's log is the other source of windows, read line by
 * line through the guard engine instead (guard-watcher.ts).
 */
export interface MetricsProvider {
  readonly kind: 'prometheus'
  /** The server as shown in messages (no credentials). */
  readonly origin: string
  /** Resolves when the server answers and is ready; else an `unreachable` (or `refused`) RampartError naming it. */
  isOnline(): Promise<void>
  /** One instant query evaluated at `atMs`; `field` names the query in errors (`guards.queries.p95`). */
  runQuery(query: string, atMs: number, field: string): Promise<PrometheusVectorSample[]>
}

/** The environment's metrics provider, or null when its windows come from the service's log. */
export function metricsProviderFor(
  environment: string,
  guards: EnvironmentGuards,
  env: Readonly<Record<string, string | undefined>> = process.env
): MetricsProvider | null {
  if (guards.source !== 'prometheus' || guards.url === undefined) return null
  return new PrometheusProvider({
    url: guards.url,
    ...(guards.token === undefined ? {} : { token: guards.token }),
    env,
    tokenField: `environment "${environment}" guards.token`
  })
}
