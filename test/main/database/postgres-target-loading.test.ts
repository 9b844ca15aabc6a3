import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tsxChildEnv } from '@test/support/tsx-child'

const PROJECT_ROOT = path.resolve(__dirname, '../../..')
const PROBE = path.join(PROJECT_ROOT, 'test/fixtures/pg-load-probe.ts')

describe('PostgresTarget loading', () => {
  it('loads pg only when a connection or a quoted name needs it', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE], {
      cwd: PROJECT_ROOT,
      env: tsxChildEnv(),
      encoding: 'utf8'
    })
    expect(run.status, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({
      described: 'u@127.0.0.1:5432/d',
      beforeUse: false,
      quoted: '"say ""hi"""',
      afterUse: true
    })
  }, 60_000)
})
