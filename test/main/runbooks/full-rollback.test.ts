/**
 * The full rollback with database against the real engine: a Postgres fixture container, the
 * demo service in a container, the project's migrations, a real history file and the app's own
 * services. The image switch uses a second tag of the Node fixture image.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { StepTools } from '@main/runbooks/runbook-definition'
import { NODE_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import { FIXTURE_PASSWORD, startPostgresFixture, type PostgresFixture } from '@test/support/postgres-fixture'
import {
  getJson,
  rollbackWorkspaceYaml,
  startServiceContainer,
  type ServiceContainer
} from '@test/support/service-container'
import { memoryNotes } from '@test/fixtures/memory-notes'
import { seedEnvText } from '@test/fixtures/service-workspace'

const docker = promisify(execFile)
const PREVIOUS_IMAGE = `rampart-test/ops-center:previous-${randomBytes(4).toString('hex')}`

let postgres: PostgresFixture

beforeAll(async () => {
  postgres = await startPostgresFixture('full-rollback')
  // The "previous release": the same image under another tag, enough to see the container switched.
  await docker('docker', ['tag', NODE_FIXTURE_IMAGE, PREVIOUS_IMAGE])
}, 120_000)

afterAll(async () => {
  await docker('docker', ['rmi', PREVIOUS_IMAGE]).catch(() => undefined)
  await postgres?.remove()
})

describe('full rollback with database', () => {
  let service: ServiceContainer
  let dir: string
  let app: AppContext

  beforeEach(async () => {
    service = await startServiceContainer(postgres.engine, 'full', { envText: seedEnvText(50) })
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-full-'))
    writeFileSync(
      path.join(dir, 'rampart.config.yaml'),
      rollbackWorkspaceYaml(service, {
        fixture: postgres,
        database: 'full_rollback_test',
        passwordVariable: 'FULL_ROLLBACK_PG_PASSWORD'
      })
    )
    const env: NodeJS.ProcessEnv = {
      RAMPART_HOME: path.join(dir, 'home'),
      RAMPART_ACTOR: 'release-owner',
      FULL_ROLLBACK_PG_PASSWORD: FIXTURE_PASSWORD
    }
    if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
    app = await createAppContext({ workspacePath: path.join(dir, 'rampart.config.yaml'), env, cwd: dir })
    await app.services.database.setup({})
  }, 120_000)

  afterEach(async () => {
    app?.close()
    if (service !== undefined) {
      await postgres.engine.removeContainer(service.name, { force: true })
      await service.remove()
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('disables the flag, rolls the database back to the target, switches the image, starts and verifies', async () => {
    const { result, run } = await app.services.fullRollback.run({
      toVersion: 1,
      image: PREVIOUS_IMAGE,
      flag: 'unified_llm_hub',
      reason: 'LLM hub schema corrupts keys',
      confirm: true
    })

    expect(run.status).toBe('succeeded')
    expect((await app.services.database.status({})).currentVersion).toBe(1)
    const tables = await postgres
      .targetFor('full_rollback_test')
      .query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'llm_%'`)
    expect(tables).toEqual([])
    expect(readFileSync(service.envFile, 'utf8')).toContain('export FEATURE_UNIFIED_LLM_HUB=false\n')
    const container = (await postgres.engine.inspectContainer(service.name))!
    expect([container.image, container.state]).toEqual([PREVIOUS_IMAGE, 'running'])
    expect(await getJson(`${service.baseUrl}/api/v1/features/unified_llm_hub`)).toMatchObject({ enabled: false })
    expect(result).toMatchObject({
      fromVersion: 2,
      toVersion: 1,
      previousImage: NODE_FIXTURE_IMAGE,
      image: PREVIOUS_IMAGE,
      healthCheck: service.healthUrl
    })
    expect(readFileSync(result.backup!.file).length).toBe(result.backup!.bytes)
    // One backup: the database rollback's own, under the migration lock.
    expect(
      app.services.store.operations.listDbOperations({ kind: 'backup' }).map((operation) => operation.backupFile)
    ).toEqual([result.backup!.file])
    expect(app.services.store.events.verify().ok).toBe(true)
  }, 120_000)

  it('runs every step twice without harm: one backup, one rollback, one container', async () => {
    const build = await app.services.fullRollback.runbook().build({
      environment: 'demo',
      toVersion: 1,
      image: PREVIOUS_IMAGE,
      flag: 'unified_llm_hub',
      reason: 'twice',
      database: 'full_rollback_test',
      confirmation: null,
      stopTimeoutSeconds: 5,
      healthTimeoutMs: 30_000,
      pollIntervalMs: 50
    })
    const tools: StepTools = { runId: 4242, signal: new AbortController().signal, notes: memoryNotes() }
    const observe = async (): Promise<unknown> => {
      const container = await postgres.engine.inspectContainer(service.name)
      return {
        file: readFileSync(service.envFile, 'utf8'),
        container:
          container === null
            ? null
            : { image: container.image, state: container.state, startedAt: container.startedAt },
        version: (await app.services.database.status({})).currentVersion,
        backups: app.services.store.operations.listDbOperations({ kind: 'backup' }).length,
        containers: (await postgres.engine.listContainers({ label: 'rampart.test=1' })).filter((item) =>
          item.name.startsWith(service.name)
        ).length
      }
    }

    const states: Array<[string, unknown, unknown]> = []
    for (const step of build.definition.steps) {
      await step.run(build.context, () => undefined, tools)
      const once = await observe()
      await step.run(build.context, () => undefined, tools)
      states.push([step.name, once, await observe()])
    }

    for (const [, once, twice] of states) expect(twice).toEqual(once)
    expect(states.map(([name]) => name)).toEqual([
      `Disable unified_llm_hub in ${service.envFile}`,
      `Stop container ${service.name}`,
      'Back up and roll back database full_rollback_test to version 1',
      `Switch container ${service.name} to image ${PREVIOUS_IMAGE}`,
      `Start container ${service.name}`,
      'Verify: health and verify URLs'
    ])
    // The second run of the rollback step found the database at the target: no second rollback, no second backup.
    expect(
      app.services.store.operations.listDbOperations({ kind: 'rollback' }).map((operation) => operation.status)
    ).toEqual(['succeeded'])
    expect(app.services.store.operations.listDbOperations({ kind: 'backup' })).toHaveLength(1)
  }, 180_000)

  it('refuses without confirmation and changes nothing', async () => {
    const file = readFileSync(service.envFile, 'utf8')
    await expect(
      app.services.fullRollback.run({ toVersion: 1, flag: 'unified_llm_hub', reason: 'no confirm' })
    ).rejects.toMatchObject({ code: 'refused' })
    expect(readFileSync(service.envFile, 'utf8')).toBe(file)
    expect((await app.services.database.status({})).currentVersion).toBe(2)
    expect(app.services.store.runbooks.list()).toHaveLength(1)
  }, 60_000)
})
