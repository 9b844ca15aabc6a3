import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import { seedEnvText } from '@test/fixtures/service-workspace'

let dir: string

beforeAll(() => {
  requireBuiltCli()
})

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-status-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function rampart(...args: string[]): CliRun {
  return runRampart(args, { cwd: dir, env: { RAMPART_HOME: path.join(dir, 'home'), RAMPART_ACTOR: 'status-tester' } })
}

describe('rampart status', () => {
  it('shows each flag’s exposure, who you are and an intact chain', () => {
    writeFileSync(path.join(dir, '.env'), seedEnvText(25))
    const run = rampart('status', '--json')
    expect(run.status).toBe(0)
    const [overview] = jsonLines(run.stdout) as Array<Record<string, unknown>>
    expect(overview).toMatchObject({
      workspace: 'built-in default',
      actor: 'status-tester',
      interrupted: [],
      chain: { ok: true, count: 0 },
      flags: [{ flag: 'unified_llm_hub', environment: 'local', state: { enabled: true, rollout_percentage: 25 } }]
    })
  })

  it('calls an off-path percentage drift', () => {
    writeFileSync(path.join(dir, '.env'), 'FEATURE_UNIFIED_LLM_HUB=true\nFEATURE_LLM_HUB_ROLLOUT=37\n')
    const run = rampart('status')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('unified_llm_hub [local]  ON 37%  DRIFT: off the path')
  })

  it('reports an unreadable flag source in words and still exits 0', () => {
    const run = rampart('status')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/unified_llm_hub \[local\] {2}unreadable: .*\.env.*does not exist/)
  })
})
