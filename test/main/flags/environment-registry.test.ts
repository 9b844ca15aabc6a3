import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseWorkspaceText } from '@main/workspace/workspace-file'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { thrownBy } from '@test/support/rampart-error'

const FILE = '/srv/ops/rampart.config.yaml'
const WORKSPACE = parseWorkspaceText(
  [
    'default_environment: staging',
    'environments:',
    '  local: {}',
    '  staging:',
    '    flags: [unified_llm_hub, checkout_v2]',
    '    flag_source:',
    '      kind: env-file',
    '      path: ../staging/.env',
    '  remote:',
    '    flag_source:',
    '      kind: http',
    '      base_url: https://ops.example.com',
    ''
  ].join('\n'),
  FILE
)

describe('EnvironmentRegistry', () => {
  it('lists the environments in the order of the workspace', () => {
    expect(new EnvironmentRegistry(WORKSPACE).names()).toEqual(['local', 'staging', 'remote'])
  })

  it('gives the default environment when none is named', () => {
    expect(new EnvironmentRegistry(WORKSPACE).get(undefined).name).toBe('staging')
  })

  it('builds each environment once', () => {
    const registry = new EnvironmentRegistry(WORKSPACE)
    expect(registry.get('staging')).toBe(registry.get(undefined))
  })

  it('points an env-file source at the path resolved against the workspace folder', () => {
    const staging = new EnvironmentRegistry(WORKSPACE).get('staging')
    expect(staging.flagSource.kind).toBe('env-file')
    expect(staging.flagOrigin).toBe(path.resolve('/srv/staging/.env'))
    expect(staging.moveLock.path).toBe(`${path.resolve('/srv/staging/.env')}.rampart-lock`)
  })

  it('refuses an unknown environment, naming the file and the environments there are', () => {
    const error = thrownBy(() => new EnvironmentRegistry(WORKSPACE).get('prod'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(`No environment "prod" in ${FILE} (there are: local, staging, remote)`)
  })

  it(
    'builds an HTTP flag source for kind http, ' + 'with its URL as origin and a move lock beside the workspace file',
    () => {
      const remote = new EnvironmentRegistry(WORKSPACE, {}).get('remote')
      expect(remote.flagSource.kind).toBe('http')
      expect(remote.flagOrigin).toBe('https://ops.example.com')
      expect(remote.moveLock.path).toBe(path.join('/srv/ops', '.rampart-remote-flags.lock'))
    }
  )

  it('accepts a declared flag and refuses an undeclared one, naming the declared ones', () => {
    const registry = new EnvironmentRegistry(WORKSPACE)
    const staging = registry.get('staging')
    expect(() => registry.requireFlag(staging, 'checkout_v2')).not.toThrow()
    const error = thrownBy(() => registry.requireFlag(staging, 'checkout'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(
      'Flag "checkout" is not declared in environment "staging" (declared: unified_llm_hub, checkout_v2)'
    )
  })

  it('leaves absolute paths as they are', () => {
    expect(new EnvironmentRegistry(WORKSPACE).resolvePath('/var/lib/ops/.env')).toBe('/var/lib/ops/.env')
  })
})
