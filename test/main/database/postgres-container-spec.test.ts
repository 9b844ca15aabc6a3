import { describe, expect, it } from 'vitest'
import { EnvironmentSchema } from '@main/workspace/core/workspace-schema'
import { postgresContainerSpec } from '@main/database/test-db-setup'

const config = (network: 'publish' | 'host') =>
  EnvironmentSchema.parse({
    postgres: {
      container: 'unicorn-postgresql',
      image: 'postgres:16',
      port: 5433,
      user: 'unicorn',
      database: 'unicorn_test',
      disposable: true,
      network
    }
  })

describe('postgresContainerSpec', () => {
  it('publishes the configured port on 127.0.0.1 only, to 5432 in the container', () => {
    const spec = postgresContainerSpec('local', config('publish'), 's3cret', {})
    expect(spec.network).toBe('publish')
    expect(spec.ports).toEqual([{ containerPort: 5432, hostPort: 5433, hostIp: '127.0.0.1' }])
    expect(spec.env).toEqual({ POSTGRES_USER: 'unicorn', POSTGRES_PASSWORD: 's3cret', POSTGRES_DB: 'unicorn_test' })
  })

  it('with host networking, listens on 127.0.0.1 at the configured port and publishes nothing', () => {
    const spec = postgresContainerSpec('local', config('host'), 's3cret', {})
    expect(spec.network).toBe('host')
    expect(spec.ports).toBeUndefined()
    expect(spec.env).toMatchObject({ PGPORT: '5433', POSTGRES_LISTEN_ADDRESSES: '127.0.0.1' })
    expect(spec.cmd).toEqual(['postgres', '-c', 'listen_addresses=127.0.0.1'])
  })

  it('labels the container with its role and environment, plus any labels given', () => {
    expect(postgresContainerSpec('staging', config('host'), 'x', { 'rampart.test': '1' }).labels).toEqual({
      'rampart.role': 'postgres',
      'rampart.environment': 'staging',
      'rampart.test': '1'
    })
  })
})
