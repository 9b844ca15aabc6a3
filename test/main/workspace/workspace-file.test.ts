import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  findWorkspaceFile,
  loadWorkspace,
  parseWorkspaceText,
  WORKSPACE_FILE_NAME
} from '@main/workspace/workspace-file'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { thrownBy } from '@test/support/rampart-error'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-workspace-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Writes a workspace file whose only environment is named after `marker`, so a test can tell which file was read. */
function writeWorkspace(file: string, marker: string): string {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, `environments:\n  ${marker}: {}\n`)
  return file
}

const FILE = '/srv/ops/rampart.config.yaml'

describe('workspace discovery', () => {
  it('uses the built-in default when nothing names a workspace and the folder has none', () => {
    expect(findWorkspaceFile({ cwd: dir, env: {} })).toBeNull()
    const workspace = loadWorkspace({ cwd: dir, env: {} })
    expect(workspace.file).toBeNull()
    expect(workspace.baseDir).toBe(dir)
    expect(workspace.defaultEnvironment).toBe('local')
    const local = workspace.environments.local!
    expect(local.service.container).toBe('ops-center-direct')
    expect(local.postgres).toMatchObject({ container: 'unicorn-postgresql', database: 'unicorn_test', user: 'unicorn' })
    expect(local.flags).toEqual(['unified_llm_hub'])
    expect(local.flag_source).toMatchObject({ kind: 'env-file', path: './.env' })
  })

  it('uses ./rampart.config.yaml of the working folder when nothing else names one', () => {
    const local = writeWorkspace(path.join(dir, WORKSPACE_FILE_NAME), 'from_cwd')
    expect(findWorkspaceFile({ cwd: dir, env: {} })).toBe(local)
    expect(Object.keys(loadWorkspace({ cwd: dir, env: {} }).environments)).toEqual(['from_cwd'])
  })

  it('prefers RAMPART_WORKSPACE (relative to the working folder) over ./rampart.config.yaml', () => {
    writeWorkspace(path.join(dir, WORKSPACE_FILE_NAME), 'from_cwd')
    const named = writeWorkspace(path.join(dir, 'conf', 'staging.yaml'), 'from_env')
    const env = { RAMPART_WORKSPACE: 'conf/staging.yaml' }
    expect(findWorkspaceFile({ cwd: dir, env })).toBe(named)
    expect(Object.keys(loadWorkspace({ cwd: dir, env }).environments)).toEqual(['from_env'])
  })

  it('prefers --workspace over RAMPART_WORKSPACE', () => {
    writeWorkspace(path.join(dir, WORKSPACE_FILE_NAME), 'from_cwd')
    writeWorkspace(path.join(dir, 'env.yaml'), 'from_env')
    const explicit = writeWorkspace(path.join(dir, 'explicit.yaml'), 'from_option')
    const location = { cwd: dir, env: { RAMPART_WORKSPACE: 'env.yaml' }, explicitPath: 'explicit.yaml' }
    expect(findWorkspaceFile(location)).toBe(explicit)
    expect(Object.keys(loadWorkspace(location).environments)).toEqual(['from_option'])
  })

  it('treats an empty RAMPART_WORKSPACE as unset', () => {
    const local = writeWorkspace(path.join(dir, WORKSPACE_FILE_NAME), 'from_cwd')
    expect(findWorkspaceFile({ cwd: dir, env: { RAMPART_WORKSPACE: '' } })).toBe(local)
  })

  it(
    'refuses a named file that does not exist, ' + 'naming it and where the name came from, instead of falling back',
    () => {
      writeWorkspace(path.join(dir, WORKSPACE_FILE_NAME), 'from_cwd')
      const fromEnv = thrownBy(() => loadWorkspace({ cwd: dir, env: { RAMPART_WORKSPACE: 'missing.yaml' } }))
      expect(fromEnv.code).toBe('bad_input')
      expect(fromEnv.message).toContain(path.join(dir, 'missing.yaml'))
      expect(fromEnv.message).toContain('RAMPART_WORKSPACE')
      expect(fromEnv.message).toContain('does not exist')

      const fromOption = thrownBy(() => loadWorkspace({ cwd: dir, env: {}, explicitPath: 'gone.yaml' }))
      expect(fromOption.message).toContain(path.join(dir, 'gone.yaml'))
      expect(fromOption.message).toContain('--workspace')
    }
  )

  it('refuses a named path that is a folder, naming it', () => {
    mkdirSync(path.join(dir, 'conf'))
    const error = thrownBy(() => loadWorkspace({ cwd: dir, env: {}, explicitPath: 'conf' }))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain(path.join(dir, 'conf'))
    expect(error.message).toContain('directory')
  })
})

describe('workspace syntax errors', () => {
  it('names the file and the line of a YAML syntax error', () => {
    const text = ['environments:', '  local:', '    postgres:', '      port: 5432', '     user: unicorn', ''].join('\n')
    const error = thrownBy(() => parseWorkspaceText(text, FILE))
    expect(error.code).toBe('bad_input')
    expect(error.message).toMatch(new RegExp(`^${FILE} line 5: `))
  })

  it('names the line of a key given twice', () => {
    const text = ['environments:', '  local:', '    protected: true', '    protected: false', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toMatch(new RegExp(`^${FILE} line 4: .*unique`))
  })

  it('reads an actual file and names it in the error', () => {
    const file = path.join(dir, WORKSPACE_FILE_NAME)
    writeFileSync(file, 'environments:\n  local: {\n')
    const error = thrownBy(() => loadWorkspace({ cwd: dir, env: {} }))
    expect(error.message).toMatch(new RegExp(`^${file} line \\d+: `))
  })
})

describe('workspace schema errors', () => {
  it('names the file, line and field path of a port given as a string', () => {
    const text = [
      'environments:',
      '  staging:',
      '    postgres:',
      '      host: db.internal',
      '      port: "5432"',
      ''
    ].join('\n')
    const error = thrownBy(() => parseWorkspaceText(text, FILE))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(
      `${FILE} line 5: environments.staging.postgres.port: Invalid input: expected number, received string`
    )
  })

  it('names an unknown key by its own line and full path', () => {
    const text = [
      'environments:',
      '  local:',
      '    postgres:',
      '      host: db',
      '      passwd: ${PGPASSWORD}',
      ''
    ].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toBe(
      `${FILE} line 5: environments.local.postgres.passwd: unknown key "passwd"`
    )
  })

  it('names an unknown top-level key by its line', () => {
    const text = ['version: 1', 'enviroments:', '  local: {}', 'environments:', '  local: {}', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toBe(
      `${FILE} line 2: enviroments: unknown key "enviroments"`
    )
  })

  it('refuses a literal password, asks for a ${VAR} reference and never repeats the secret', () => {
    const text = ['environments:', '  local:', '    postgres:', '      password: hunter2-secret', ''].join('\n')
    const error = thrownBy(() => parseWorkspaceText(text, FILE))
    expect(error.message).toMatch(
      new RegExp(`^${FILE} line 4: environments\\.local\\.postgres\\.password: .*\\$\\{ENV_VAR\\}`)
    )
    expect(error.message).not.toContain('hunter2')
    expect(JSON.stringify(error.detail)).not.toContain('hunter2')
  })

  it('accepts a password given as a ${VAR} or ${VAR:-default} reference', () => {
    for (const reference of ['${PGPASSWORD}', '${PGPASSWORD:-unicorn}']) {
      const text = ['environments:', '  local:', '    postgres:', `      password: "${reference}"`, ''].join('\n')
      expect(parseWorkspaceText(text, FILE).environments.local!.postgres.password).toBe(reference)
    }
  })

  it('refuses a default_environment that names no environment, listing the ones there are', () => {
    const text = ['default_environment: prod', 'environments:', '  local: {}', '  staging: {}', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toBe(
      `${FILE} line 1: default_environment: names no environment (there are: local, staging)`
    )
  })

  it('refuses an environment name with a space, naming it', () => {
    const text = ['environments:', '  "my env": {}', ''].join('\n')
    const message = thrownBy(() => parseWorkspaceText(text, FILE)).message
    expect(message).toMatch(new RegExp(`^${FILE} line 2: environments\\.my env: invalid name: `))
  })

  it('refuses a workspace without environments', () => {
    expect(thrownBy(() => parseWorkspaceText('version: 1\n', FILE)).message).toMatch(
      new RegExp(`^${FILE} line 1: environments: `)
    )
    expect(thrownBy(() => parseWorkspaceText('environments: {}\n', FILE)).message).toContain(
      'at least one environment is required'
    )
  })

  it('reports every problem at once, one line each', () => {
    const text = [
      'environments:',
      '  local:',
      '    protected: "yes"',
      '    postgres:',
      '      port: 70000',
      '    guards:',
      '      max_error_rate: 2',
      ''
    ].join('\n')
    const lines = thrownBy(() => parseWorkspaceText(text, FILE)).message.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(new RegExp(`^${FILE} line 3: environments\\.local\\.protected: `))
    expect(lines[1]).toMatch(new RegExp(`^${FILE} line 5: environments\\.local\\.postgres\\.port: `))
    expect(lines[2]).toMatch(new RegExp(`^${FILE} line 7: environments\\.local\\.guards\\.max_error_rate: `))
  })

  it('points at the key of a nested block, not the first line inside it', () => {
    const text = ['environments:', '  local:', '    guards: [1, 2]', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toMatch(
      new RegExp(`^${FILE} line 3: environments\\.local\\.guards: `)
    )
  })

  it('refuses a docker host without a scheme', () => {
    const text = ['environments:', '  local:', '    docker:', '      host: /var/run/docker.sock', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toMatch(
      new RegExp(`^${FILE} line 4: environments\\.local\\.docker\\.host: must start with unix://`)
    )
  })
})

describe('guard sources', () => {
  it('requires the url of a Prometheus source, naming the field', () => {
    const text = ['environments:', '  prod:', '    guards:', '      source: prometheus', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toBe(
      `${FILE} line 3: environments.prod.guards.url: is required with source: prometheus (e.g. http://127.0.0.1:9090)`
    )
  })

  it('refuses Prometheus fields with the log source, so a source half set up never judges from the log', () => {
    const text = ['environments:', '  prod:', '    guards:', '      url: http://127.0.0.1:9090', ''].join('\n')
    expect(thrownBy(() => parseWorkspaceText(text, FILE)).message).toContain(
      'environments.prod.guards.url: is only read with source: prometheus'
    )
  })

  it('reads a Prometheus source with its token by reference and a query of its own', () => {
    const text = [
      'environments:',
      '  prod:',
      '    guards:',
      '      source: prometheus',
      '      url: http://127.0.0.1:9090',
      '      token: ${PROMETHEUS_TOKEN}',
      '      queries: { p95: my_p95 }',
      ''
    ].join('\n')
    expect(parseWorkspaceText(text, FILE).environments.prod!.guards).toMatchObject({
      source: 'prometheus',
      url: 'http://127.0.0.1:9090',
      token: '${PROMETHEUS_TOKEN}',
      queries: { p95: 'my_p95' }
    })
  })
})

describe('workspace values', () => {
  it('fills every setting an environment leaves out with the documented default', () => {
    const workspace = parseWorkspaceText('environments:\n  staging: {}\n', FILE)
    const staging = workspace.environments.staging!
    expect(staging.guards).toEqual({
      window_seconds: 60,
      min_requests: 100,
      max_error_rate: 0.05,
      max_latency_degradation: 0.5,
      breach_windows: 2,
      action: 'rollback',
      source: 'logs',
      queries: {}
    })
    expect(staging.rollout.min_soak_seconds).toBe(0)
    expect(staging.protected).toBe(false)
    expect(staging.postgres.password).toMatch(/^\$\{[A-Z_]+(:-[^}]*)?\}$/)
  })

  it('takes the first environment as the default when default_environment is not given', () => {
    const workspace = parseWorkspaceText('environments:\n  staging: {}\n  prod:\n    protected: true\n', FILE)
    expect(workspace.defaultEnvironment).toBe('staging')
    expect(workspace.environments.prod!.protected).toBe(true)
  })

  it('honours default_environment', () => {
    expect(
      parseWorkspaceText('default_environment: prod\nenvironments:\n  staging: {}\n  prod: {}\n', FILE)
        .defaultEnvironment
    ).toBe('prod')
  })

  it("resolves relative paths against the workspace file's folder, not the working folder", () => {
    const file = path.join(dir, 'ops', 'rampart.config.yaml')
    mkdirSync(path.dirname(file))
    writeFileSync(
      file,
      [
        'environments:',
        '  local:',
        '    flag_source:',
        '      kind: env-file',
        '      path: ./service/.env',
        '  absolute:',
        '    flag_source:',
        '      kind: env-file',
        '      path: /etc/ops-center/.env',
        ''
      ].join('\n')
    )
    const elsewhere = path.join(dir, 'elsewhere')
    mkdirSync(elsewhere)
    const workspace = loadWorkspace({ cwd: elsewhere, env: {}, explicitPath: file })
    expect(workspace.file).toBe(file)
    expect(workspace.baseDir).toBe(path.join(dir, 'ops'))
    const registry = new EnvironmentRegistry(workspace)
    expect(registry.get('local').flagOrigin).toBe(path.join(dir, 'ops', 'service', '.env'))
    expect(registry.get('absolute').flagOrigin).toBe('/etc/ops-center/.env')
    expect(registry.resolvePath('./migrations')).toBe(path.join(dir, 'ops', 'migrations'))
  })

  it('resolves the built-in default ./.env against the working folder', () => {
    const registry = new EnvironmentRegistry(loadWorkspace({ cwd: dir, env: {} }))
    expect(registry.get(undefined).flagOrigin).toBe(path.join(dir, '.env'))
  })
})
