/**
 * `rampart rollback --full` SIGKILLed at each of its steps in turn, against a Postgres fixture and
 * the demo service in a container on the real engine, then resumed with `rampart runbook resume`:
 * the flag ends disabled, the database at the target version with its backup on disk, the service
 * running the previous image and serving the flag disabled, and the history shows the kill and
 * the resume with no gap in the chain.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUNBOOKS, type FullRollbackResult } from '@shared/runbook-types'
import { jsonLines, requireBuiltCli } from '@test/fixtures/rampart-cli'
import { NODE_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import {
  expectKillAndResumeRecorded,
  rampartIn,
  resumeKilledRun,
  type Rampart,
  runKilledAtStep,
  verifiedHistory
} from '@test/support/killed-runbook'
import { FIXTURE_PASSWORD, startPostgresFixture, type PostgresFixture } from '@test/support/postgres-fixture'
import {
  getJson,
  rollbackWorkspaceYaml,
  startServiceContainer,
  type ServiceContainer
} from '@test/support/service-container'
import { seedEnvText } from '@test/fixtures/service-workspace'

const docker = promisify(execFile)
const FLAG = 'unified_llm_hub'
const PREVIOUS_IMAGE = `rampart-test/ops-center:killed-${randomBytes(4).toString('hex')}`
/** Disable the flag, stop the service, back up and roll back, switch the image, start, verify. */
const FULL_ROLLBACK_STEPS = 6
/** One kill, one resume: a container recreated on the other image (vfs copies it), a pg_dump, two health waits. */
const PER_STEP_BUDGET_MS = 180_000
const DATABASE = 'full_killed'

let postgres: PostgresFixture
let service: ServiceContainer
let dir: string

function rampartWithHome(home: string): Rampart {
  return rampartIn(dir, {
    RAMPART_HOME: path.join(dir, home),
    RAMPART_ACTOR: 'release-owner',
    KILLED_PG_PASSWORD: FIXTURE_PASSWORD
  })
}

beforeAll(async () => {
  requireBuiltCli()
  postgres = await startPostgresFixture('full-killed')
  // The "previous release": the same image under another tag, enough to see the container switched.
  await docker('docker', ['tag', NODE_FIXTURE_IMAGE, PREVIOUS_IMAGE])
  service = await startServiceContainer(postgres.engine, 'full-killed', { envText: seedEnvText(50) })
  dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-full-killed-'))
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    rollbackWorkspaceYaml(service, { fixture: postgres, database: DATABASE, passwordVariable: 'KILLED_PG_PASSWORD' })
  )
  const setup = rampartWithHome('setup-home')(['db', 'setup'])
  expect(setup.status, setup.stderr).toBe(0)
}, 180_000)

afterAll(async () => {
  if (service !== undefined) {
    await postgres.engine.removeContainer(service.name, { force: true })
    await service.remove()
  }
  await docker('docker', ['rmi', PREVIOUS_IMAGE]).catch(() => undefined)
  await postgres?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
}, 120_000)

describe('full rollback killed at every step', () => {
  for (let stepIndex = 0; stepIndex < FULL_ROLLBACK_STEPS; stepIndex++) {
    it(
      `killed as step ${stepIndex + 1} of ${FULL_ROLLBACK_STEPS} starts, resumed: flag off, database, image, verified`,
      async () => {
        // Back to before the incident: flag on, database at version 2; the image alternates so each run switches it.
        writeFileSync(service.envFile, seedEnvText(50))
        const rampart = rampartWithHome(`home-${stepIndex}`)
        const migrate = rampart(['db', 'migrate'])
        expect(migrate.status, migrate.stderr).toBe(0)
        const image = stepIndex % 2 === 0 ? PREVIOUS_IMAGE : NODE_FIXTURE_IMAGE

        const killed = runKilledAtStep(
          rampart,
          [
            'rollback',
            '--full',
            '--to',
            '1',
            '--image',
            image,
            '--flag',
            FLAG,
            '--reason',
            `killed at step ${stepIndex + 1}`,
            '--confirm',
            '--stop-timeout',
            '1'
          ],
          RUNBOOKS.fullRollback,
          stepIndex
        )
        expect(killed.stepCount).toBe(FULL_ROLLBACK_STEPS)
        const run = resumeKilledRun(rampart, killed)

        expect(readFileSync(service.envFile, 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
        const status = jsonLines(rampart(['db', 'status', '--json']).stdout).at(-1) as {
          result: { currentVersion: number }
        }
        expect(status.result.currentVersion).toBe(1)
        const container = await postgres.engine.inspectContainer(service.name)
        expect([container?.image, container?.state]).toEqual([image, 'running'])
        expect(await getJson(`${service.baseUrl}/api/v1/features/${FLAG}`)).toMatchObject({ enabled: false })
        const result = run.result as FullRollbackResult
        expect(result).toMatchObject({ fromVersion: 2, toVersion: 1, image })
        expect(statSync(result.backup!.file).size).toBe(result.backup!.bytes)
        const events = verifiedHistory(rampart)
        expectKillAndResumeRecorded(events, killed)
        // One database rollback, whichever process ran it.
        const rollbacks = events.filter(
          (event) =>
            event.kind === 'runbook' &&
            event.outcome === 'succeeded' &&
            (event.detail as { runbook?: string }).runbook === RUNBOOKS.dbRollback
        )
        expect(rollbacks).toHaveLength(1)
      },
      PER_STEP_BUDGET_MS
    )
  }
})
