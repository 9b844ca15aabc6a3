import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tsxChildEnv } from '@test/support/tsx-child'
import { POSTGRES_FIXTURE_IMAGE } from '@test/support/docker-test-env'

const PROJECT_ROOT = path.resolve(__dirname, '../../..')
const PROBE = path.join(PROJECT_ROOT, 'test/fixtures/dockerode-load-probe.ts')

describe('EngineClient', () => {
  it('loads dockerode without the BuildKit session (gRPC, protobufjs) or ssh2 and still talks to the engine', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE, POSTGRES_FIXTURE_IMAGE], {
      cwd: PROJECT_ROOT,
      env: tsxChildEnv(),
      encoding: 'utf8'
    })
    expect(run.status, run.stderr).toBe(0)
    const { exists, packages } = JSON.parse(run.stdout) as { exists: boolean; packages: string[] }
    expect(exists).toBe(true)
    expect(packages).toEqual(expect.arrayContaining(['dockerode', 'docker-modem']))
    expect(packages.filter((name) => name.startsWith('@grpc/') || ['protobufjs', 'ssh2'].includes(name))).toEqual([])
  }, 60_000)
})
