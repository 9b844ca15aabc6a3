import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'

export const DEFAULT_DEMO_PORT = 8084

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * The port the demo service listens on when the operator names none: where the environment
 * already expects the service (its HTTP flag source, then its health URL) when that is on this
 * machine's loopback, else the seed's 8084. So `demo up` lands where the rest of Rampart looks.
 */
export function demoServicePort(config: Pick<EnvironmentConfig, 'flag_source' | 'service'>): number {
  const candidates = [
    config.flag_source.kind === 'http' ? config.flag_source.base_url : null,
    config.service.health_url
  ]
  for (const candidate of candidates) {
    const port = loopbackPort(candidate)
    if (port !== null) return port
  }
  return DEFAULT_DEMO_PORT
}

function loopbackPort(url: string | null): number | null {
  if (url === null) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (!LOOPBACK_HOSTS.has(parsed.hostname)) return null
  if (parsed.port !== '') return Number(parsed.port)
  return parsed.protocol === 'https:' ? 443 : 80
}
