import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ServiceWorkspace } from '@test/fixtures/service-workspace'

let workspace: ServiceWorkspace

afterEach(() => {
  workspace.cleanup()
})

describe('WorkspaceService.describe', () => {
  it('describes the built-in default workspace with its env file in the working folder', async () => {
    workspace = new ServiceWorkspace()
    const context = await workspace.open('release-owner')
    expect(context.services.workspace.describe()).toEqual({
      source: 'built-in default',
      defaultEnvironment: 'local',
      environments: [
        {
          name: 'local',
          protected: false,
          flagSource: { kind: 'env-file', origin: workspace.envPath },
          flags: ['unified_llm_hub'],
          serviceContainer: 'ops-center-direct',
          postgres: { container: 'unicorn-postgresql', database: 'unicorn_test', disposable: true }
        }
      ],
      historyPath: path.join(workspace.home, 'history.db'),
      historyWarning: null,
      actor: 'release-owner'
    })
  })

  it('describes a workspace file: its path, every environment, and origins resolved against its folder', async () => {
    workspace = new ServiceWorkspace({
      workspaceYaml: [
        'default_environment: prod',
        'environments:',
        '  dev: {}',
        '  prod:',
        '    protected: true',
        '    flag_source:',
        '      kind: env-file',
        '      path: ./prod/.env',
        '    postgres:',
        '      container: pg-prod',
        '      password: ${PROD_PG_PASSWORD}',
        ''
      ].join('\n')
    })
    const context = await workspace.open()
    const view = context.services.workspace.describe()
    expect(view.source).toBe(path.join(workspace.dir, 'rampart.config.yaml'))
    expect(view.defaultEnvironment).toBe('prod')
    expect(view.environments.map((environment) => [environment.name, environment.protected])).toEqual([
      ['dev', false],
      ['prod', true]
    ])
    expect(view.environments[1]!.flagSource.origin).toBe(path.join(workspace.dir, 'prod', '.env'))
    expect(view.environments[1]!.postgres).toEqual({
      container: 'pg-prod',
      database: 'unicorn_test',
      disposable: false
    })
    expect(JSON.stringify(view)).not.toContain('PROD_PG_PASSWORD')
  })
})
