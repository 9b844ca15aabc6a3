import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { disableFlag, FLAG_KILL_NOTE, type FlagKillNote } from '@main/runbooks/steps/disable-flag'
import type { RunNotes } from '@main/runbooks/runbook-definition'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'
import { memoryNotes } from '@test/fixtures/memory-notes'

const FLAG = 'unified_llm_hub'

let workspace: ServiceWorkspace

beforeEach(() => {
  workspace = new ServiceWorkspace()
})

afterEach(() => {
  workspace.cleanup()
})

async function kill(notes: RunNotes, reports: string[]): Promise<string> {
  const context = await workspace.open()
  const handle = new EnvironmentRegistry(context.workspace, { RAMPART_HOME: workspace.home }).get(undefined)
  return disableFlag(
    {
      rollout: context.services.rollout,
      handle,
      flag: FLAG,
      reason: 'incident 4713',
      notes,
      now: () => workspace.clock.now()
    },
    (message) => void reports.push(message)
  )
}

describe('disableFlag, the emergency rollback’s first step', () => {
  it(
    'disables a flag whose percentage was mistyped by hand, ' + 'says what is still to fix, and records the kill',
    async () => {
      workspace.writeEnv(
        seedEnvText(25).replace('FEATURE_LLM_HUB_ROLLOUT = 25 #', 'FEATURE_LLM_HUB_ROLLOUT = 25 percent #')
      )
      const before = workspace.readEnv()
      const notes = memoryNotes()
      const message = await kill(notes, [])
      expect(workspace.readEnv()).toBe(
        before.replace('export FEATURE_UNIFIED_LLM_HUB=true\n', 'export FEATURE_UNIFIED_LLM_HUB=false\n')
      )
      expect(message).toMatch(
        /^unified_llm_hub disabled in .+\.env \(recorded as event #\d+\); still to fix by hand: FEATURE_LLM_HUB_ROLLOUT=25 percent in .+ line \d+ is not a percentage/
      )
      expect(notes.get<FlagKillNote>(FLAG_KILL_NOTE)).toMatchObject({ alreadyDisabled: false })
    }
  )

  it('run again, finds the flag disabled despite the bad value and writes nothing', async () => {
    workspace.writeEnv(
      seedEnvText(25)
        .replace('export FEATURE_UNIFIED_LLM_HUB=true', 'export FEATURE_UNIFIED_LLM_HUB=false')
        .replace('FEATURE_LLM_HUB_ROLLOUT = 25 #', 'FEATURE_LLM_HUB_ROLLOUT = abc #')
    )
    const before = workspace.readEnv()
    expect(await kill(memoryNotes(), [])).toMatch(/^unified_llm_hub is disabled in .+; nothing to write$/)
    expect(workspace.readEnv()).toBe(before)
  })
})
