import { describe, expect, it } from 'vitest'
import { upLines } from '@main/cli/commands/demo'
import { parseContainerLabels } from '@main/demo/core/container-labels'

const extraLabels = (text: string | undefined): Record<string, string> =>
  parseContainerLabels(text, 'RAMPART_DEMO_LABELS')
import { SEED_FLAG_ENV_MAPPING } from '@main/flags/core/flag-env-mapping'
import { demoServiceContainerSpec } from '@main/demo/demo-service-spec'
import { RampartError } from '@shared/errors'
import type { DemoUpResult } from '@shared/demo-types'

const SPEC = demoServiceContainerSpec({
  environment: 'local',
  container: 'ops-center-direct',
  image: 'node:18-slim',
  port: 8084,
  envFile: '/home/dev/ops/.env',
  serviceDir: '/opt/rampart/resources/demo/ops-center',
  nodeModulesDir: '/opt/rampart/node_modules',
  flagMappings: { unified_llm_hub: SEED_FLAG_ENV_MAPPING },
  instance: 'abc123',
  traffic: { rps: 20, seed: 'seed-1' },
  labels: { 'rampart.demo': '1', 'rampart.test': '1' }
})

describe('demoServiceContainerSpec', () => {
  it('runs server.js on host networking, listening on 127.0.0.1 at the port', () => {
    expect(SPEC).toMatchObject({
      name: 'ops-center-direct',
      image: 'node:18-slim',
      network: 'host',
      cmd: ['node', '/app/server.js']
    })
    expect(SPEC.env).toMatchObject({ DEMO_HOST: '127.0.0.1', DEMO_PORT: '8084' })
    expect(SPEC.ports).toBeUndefined()
  })

  it('mounts the service folder at /app, its packages at /node_modules and the env file, all read-only', () => {
    expect(SPEC.mounts).toEqual([
      { source: '/opt/rampart/resources/demo/ops-center', target: '/app', readOnly: true },
      { source: '/opt/rampart/node_modules', target: '/node_modules', readOnly: true },
      { source: '/home/dev/ops/.env', target: '/config/.env', readOnly: true }
    ])
    expect(SPEC.env).toMatchObject({ DEMO_ENV_FILE: '/config/.env', DEMO_ENV_FILE_ORIGIN: '/home/dev/ops/.env' })
  })

  it('tells the service the variables of each flag and the traffic settings given', () => {
    expect(JSON.parse(SPEC.env.DEMO_FLAGS!)).toEqual({ unified_llm_hub: SEED_FLAG_ENV_MAPPING })
    expect(SPEC.env).toMatchObject({ DEMO_RPS: '20', DEMO_SEED: 'seed-1', DEMO_INSTANCE: 'abc123' })
    expect(SPEC.env.DEMO_USERS).toBeUndefined()
  })

  it('labels the container as the demo’s, with what a second up compares, beside the caller’s labels', () => {
    expect(SPEC.labels).toEqual({
      'rampart.role': 'demo-service',
      'rampart.environment': 'local',
      'rampart.demo.port': '8084',
      'rampart.demo.env-file': '/home/dev/ops/.env',
      'rampart.demo.instance': 'abc123',
      'rampart.demo': '1',
      'rampart.test': '1'
    })
  })
})

describe('RAMPART_DEMO_LABELS', () => {
  it('reads comma-separated key=value labels', () => {
    expect(extraLabels('rampart.test=1, team=ops')).toEqual({ 'rampart.test': '1', team: 'ops' })
    expect(extraLabels(undefined)).toEqual({})
  })

  it('refuses a pair that is not key=value, naming it', () => {
    expect(() => extraLabels('rampart.test')).toThrow(RampartError)
    expect(() => extraLabels('rampart.test')).toThrow('RAMPART_DEMO_LABELS: "rampart.test" is not a key=value label')
  })
})

describe('demo up output', () => {
  it('says that demo down leaves a Postgres container the demo did not create', () => {
    const result = {
      environment: 'local',
      envFile: { path: '/w/.env', created: false },
      postgres: {
        container: 'unicorn-postgresql',
        image: 'postgres:16',
        status: 'running',
        demoOwned: false,
        network: 'publish',
        host: '127.0.0.1',
        port: 5432,
        database: 'unicorn_test',
        user: 'unicorn',
        serverVersion: '16.4'
      },
      service: {
        container: 'ops-center-direct',
        image: 'node:18-slim',
        status: 'created',
        url: 'http://127.0.0.1:8084',
        healthUrl: 'http://127.0.0.1:8084/health',
        startedAt: ''
      }
    } as DemoUpResult
    expect(upLines(result)).toContain(
      '  postgres  unicorn@127.0.0.1:5432/unicorn_test   unicorn-postgresql, postgres:16 ' +
        "(running; not the demo's own, demo down leaves it)"
    )
  })
})
