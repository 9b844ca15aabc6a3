import { describe, expect, it } from 'vitest'
import { DEFAULT_DEMO_PORT, demoServicePort } from '@main/demo/core/demo-service-port'
import { EnvironmentSchema } from '@main/workspace/core/workspace-schema'

function environment(raw: unknown): ReturnType<typeof EnvironmentSchema.parse> {
  return EnvironmentSchema.parse(raw)
}

describe('demoServicePort', () => {
  it('takes the port of an HTTP flag source on loopback, where Rampart will look for the flag API', () => {
    const config = environment({
      flag_source: { kind: 'http', base_url: 'http://127.0.0.1:9100' },
      service: { health_url: 'http://127.0.0.1:9200/health' }
    })
    expect(demoServicePort(config)).toBe(9100)
  })

  it('takes the port of the health URL on loopback when the flags are in an env file', () => {
    expect(demoServicePort(environment({ service: { health_url: 'http://localhost:9200/health' } }))).toBe(9200)
  })

  it('ignores URLs on other hosts and falls back to the seed’s 8084', () => {
    const config = environment({
      flag_source: { kind: 'http', base_url: 'https://ops.example.com' },
      service: { health_url: 'http://ops.example.com:8084/health' }
    })
    expect(demoServicePort(config)).toBe(DEFAULT_DEMO_PORT)
    expect(DEFAULT_DEMO_PORT).toBe(8084)
  })

  it('reads a loopback URL without a port as the scheme’s default port', () => {
    expect(demoServicePort(environment({ service: { health_url: 'http://127.0.0.1/health' } }))).toBe(80)
  })
})
