/**
 * `rampart rollback` (the emergency rollback) SIGKILLed at each of its steps in turn, against the
 * demo service in a container on the real engine, then resumed with `rampart runbook resume`:
 * the flag ends disabled, the service healthy and serving it disabled, one verified-safe event,
 * and the history shows the kill (the resumed event names the dead process and the step run
 * again) with no gap in the chain.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUNBOOKS } from '@shared/runbook-types'
import { requireBuiltCli } from '@test/fixtures/rampart-cli'
import { connectTestEngine } from '@test/support/docker-test-env'
import {
  expectKillAndResumeRecorded,
  rampartIn,
  resumeKilledRun,
  runKilledAtStep,
  verifiedHistory
} from '@test/support/killed-runbook'
import {
  getJson,
  rollbackWorkspaceYaml,
  startServiceContainer,
  type ServiceContainer
} from '@test/support/service-container'
import type { DockerEngine } from '@main/docker/docker-engine'
import { seedEnvText } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
/** Disable the flag, restart, wait for health, check the verify URLs, capture logs, record the time to safe. */
const EMERGENCY_STEPS = 6
/** Two restarts of the demo service (each up to the 30 s health timeout), six CLI runs (about 5 s each when busy). */
const PER_STEP_BUDGET_MS = 120_000

let engine: DockerEngine
let service: ServiceContainer
let dir: string

beforeAll(async () => {
  requireBuiltCli()
  engine = await connectTestEngine()
  service = await startServiceContainer(engine, 'emergency-killed', { envText: seedEnvText(50) })
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-emergency-killed-'))
  writeFileSync(path.join(dir, 'rampart.config.yaml'), rollbackWorkspaceYaml(service))
}, 120_000)

afterAll(async () => {
  await service?.remove()
  engine?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('emergency rollback killed at every step', () => {
  for (let stepIndex = 0; stepIndex < EMERGENCY_STEPS; stepIndex++) {
    it(
      `killed as step ${stepIndex + 1} of ${EMERGENCY_STEPS} starts, resumed: flag off, verified safe, no gap`,
      async () => {
        writeFileSync(service.envFile, seedEnvText(50))
        const home = path.join(dir, `home-${stepIndex}`)
        mkdirSync(home)
        const rampart = rampartIn(dir, { RAMPART_HOME: home, RAMPART_ACTOR: 'on-call' })

        const killed = runKilledAtStep(
          rampart,
          ['rollback', '--flag', FLAG, '--reason', `killed at step ${stepIndex + 1}`, '--stop-timeout', '1'],
          RUNBOOKS.emergencyRollback,
          stepIndex
        )
        expect(killed.stepCount).toBe(EMERGENCY_STEPS)
        const run = resumeKilledRun(rampart, killed)

        expect(readFileSync(service.envFile, 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
        expect(await getJson(`${service.baseUrl}/api/v1/features/${FLAG}`)).toMatchObject({ enabled: false })
        expect((await engine.inspectContainer(service.name))?.state).toBe('running')
        expect(run.result).toMatchObject({ flag: FLAG, alreadyDisabled: false, restarted: true })
        const events = verifiedHistory(rampart)
        expectKillAndResumeRecorded(events, killed)
        // One of each: a step run again after the kill does not record its write or the safe time twice.
        const kills = events.filter((event) => event.kind === 'kill').map((event) => event.outcome)
        expect(kills).toEqual(['intent', 'applied', 'verified_safe'])
      },
      PER_STEP_BUDGET_MS
    )
  }
})
