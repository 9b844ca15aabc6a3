/**
 * The emergency rollback against the real engine: the demo service in a container (host
 * networking, 127.0.0.1), its env file on disk, a real history file, the app's own services.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RUNBOOKS } from '@shared/runbook-types'
import type { DockerEngine } from '@main/docker/docker-engine'
import { createAppContext, type AppContext } from '@main/app/app-context'
import type { StepTools } from '@main/runbooks/runbook-definition'
import type { EmergencyRollbackResult } from '@shared/runbook-types'
import { captureLogLines } from '@main/docker/service-log-capture'
import { connectTestEngine, waitFor } from '@test/support/docker-test-env'
import {
  getJson,
  rollbackWorkspaceYaml,
  startServiceContainer,
  type ServiceContainer
} from '@test/support/service-container'
import { memoryNotes } from '@test/fixtures/memory-notes'
import { seedEnvText } from '@test/fixtures/service-workspace'

let engine: DockerEngine

beforeAll(async () => {
  engine = await connectTestEngine()
})

afterAll(() => engine?.close())

describe('emergency rollback on the demo service container', () => {
  let service: ServiceContainer
  let dir: string
  let app: AppContext

  beforeEach(async () => {
    service = await startServiceContainer(engine, 'kill', { envText: seedEnvText(25) })
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-kill-'))
    writeFileSync(path.join(dir, 'rampart.config.yaml'), rollbackWorkspaceYaml(service))
    const env: NodeJS.ProcessEnv = { RAMPART_HOME: path.join(dir, 'home'), RAMPART_ACTOR: 'on-call' }
    if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
    app = await createAppContext({ workspacePath: path.join(dir, 'rampart.config.yaml'), env, cwd: dir })
  }, 60_000)

  afterEach(async () => {
    app?.close()
    await service?.remove()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('disables the flag in the env file and changes no other byte', async () => {
    const before = readFileSync(service.envFile, 'utf8')
    await app.services.emergencyRollback.run({ flag: 'unified_llm_hub', reason: 'error rate 12 %' })
    expect(readFileSync(service.envFile, 'utf8')).toBe(
      before.replace('export FEATURE_UNIFIED_LLM_HUB=true\n', 'export FEATURE_UNIFIED_LLM_HUB=false\n')
    )
  }, 60_000)

  it(
    'restarts the container, so the service serves the ' + 'flag disabled, and verifies health and the old page',
    async () => {
      const startedBefore = (await engine.inspectContainer(service.name))!.startedAt
      const { result } = await app.services.emergencyRollback.run({
        flag: 'unified_llm_hub',
        reason: 'error rate 12 %'
      })

      expect((await engine.inspectContainer(service.name))!.startedAt).not.toBe(startedBefore)
      expect(result.restarted).toBe(true)
      expect(await getJson(`${service.baseUrl}/api/v1/features/unified_llm_hub`)).toMatchObject({
        enabled: false,
        config: { enabled: false }
      })
      expect(result.healthCheck).toBe(service.healthUrl)
      expect(result.verifiedUrls).toEqual([`${service.verifyUrl} 200`])
    },
    60_000
  )

  it('captures the last 50 log lines and records the time from intent to verified safe in the result', async () => {
    // The container's log outlives the restart: once it holds more than 50 lines, exactly 50 are captured.
    await waitFor(
      '60 log lines from the service',
      async () => ((await captureLogLines(engine, service.name, 60)).lines.length >= 60 ? true : undefined),
      30_000,
      200
    )
    const { result, run } = await app.services.emergencyRollback.run({
      flag: 'unified_llm_hub',
      reason: 'error rate 12 %'
    })

    expect(result.logLines).toHaveLength(50)
    expect(result.timeToSafeMs).toBe(Date.parse(result.safeAt) - Date.parse(result.intentAt))
    expect(result.timeToSafeMs).toBeGreaterThan(0)
    expect(run.status).toBe('succeeded')
    expect(app.services.store.runbooks.get(run.id)?.result).toEqual(result)
  }, 60_000)

  it(
    'puts intent, run, kill and verified-safe on the chain ' + 'with actor and reason, and the chain verifies',
    async () => {
      const { result, run } = await app.services.emergencyRollback.run({
        flag: 'unified_llm_hub',
        reason: 'error rate 12 %'
      })

      const events = app.services.store.events.listEvents({ kinds: ['kill', 'runbook'] })
      expect(events.map((event) => [event.kind, event.outcome])).toEqual([
        ['kill', 'intent'],
        ['runbook', 'started'],
        ['kill', 'applied'],
        ['kill', 'verified_safe'],
        ['runbook', 'succeeded']
      ])
      expect(events.every((event) => event.actor === 'on-call' && event.reason === 'error rate 12 %')).toBe(true)
      expect(events[3]!.detail).toMatchObject({
        runId: run.id,
        timeToSafeMs: result.timeToSafeMs,
        intentSeq: events[0]!.seq
      })
      expect(app.services.store.events.verify().ok).toBe(true)
    },
    60_000
  )

  it('runs every step twice without harm: one write, one restart, one verified-safe event', async () => {
    const intent = app.services.store.events.appendEvent({
      kind: 'kill',
      actor: 'on-call',
      flag: 'unified_llm_hub',
      environment: 'demo',
      reason: 'twice',
      outcome: 'intent'
    })
    const build = await app.services.emergencyRollback.runbook().build({
      environment: 'demo',
      flag: 'unified_llm_hub',
      reason: 'twice',
      intentSeq: intent.seq,
      intentAt: intent.at,
      stopTimeoutSeconds: 5,
      healthTimeoutMs: 30_000,
      pollIntervalMs: 50
    })
    const tools: StepTools = { runId: 999, signal: new AbortController().signal, notes: memoryNotes() }
    const observe = async (): Promise<unknown> => ({
      file: readFileSync(service.envFile, 'utf8'),
      startedAt: (await engine.inspectContainer(service.name))!.startedAt,
      events: app.services.store.events.listEvents({ kinds: ['kill'] }).map((event) => event.outcome),
      safeAt: tools.notes.get('safeAt') ?? null
    })

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
      `Restart container ${service.name}`,
      `Wait for health: ${service.healthUrl}`,
      'Check 1 verify URL',
      `Capture the last 50 log lines of ${service.name}`,
      'Record the time to safe'
    ])
    expect(app.services.store.events.listEvents({ kinds: ['kill'] }).map((event) => event.outcome)).toEqual([
      'intent',
      'applied',
      'verified_safe'
    ])
  }, 90_000)

  it('on a flag already disabled, writes nothing, still restarts and verifies, and says so', async () => {
    await app.services.emergencyRollback.run({ flag: 'unified_llm_hub', reason: 'first' })
    const file = readFileSync(service.envFile, 'utf8')

    const { result } = await app.services.emergencyRollback.run({ flag: 'unified_llm_hub', reason: 'second' })

    expect(result.alreadyDisabled).toBe(true)
    expect(readFileSync(service.envFile, 'utf8')).toBe(file)
    expect(
      app.services.store.events.listEvents({ kinds: ['kill'] }).filter((event) => event.outcome === 'applied')
    ).toHaveLength(1)
  }, 90_000)

  it('on the HTTP source, disables through the flag API and does not restart the container', async () => {
    const startedBefore = (await engine.inspectContainer(service.name))!.startedAt
    const file = readFileSync(service.envFile, 'utf8')

    const { result, run } = await app.services.emergencyRollback.run({
      environment: 'api',
      flag: 'unified_llm_hub',
      reason: 'api kill'
    })

    expect(await getJson(`${service.baseUrl}/api/v1/features/unified_llm_hub`)).toMatchObject({ enabled: false })
    expect((await engine.inspectContainer(service.name))!.startedAt).toBe(startedBefore)
    expect(readFileSync(service.envFile, 'utf8')).toBe(file)
    expect(result.restarted).toBe(false)
    expect(run.steps.map((step) => step.name)).not.toContain(`Restart container ${service.name}`)
  }, 60_000)

  it('is resumable: its runbook is registered and rebuilt from the recorded input', async () => {
    const { run } = await app.services.emergencyRollback.run({ flag: 'unified_llm_hub', reason: 'recorded' })
    expect(run.runbook).toBe(RUNBOOKS.emergencyRollback)
    expect(run.input).toMatchObject({
      environment: 'demo',
      flag: 'unified_llm_hub',
      reason: 'recorded',
      stopTimeoutSeconds: 5
    })
    const result = run.result as EmergencyRollbackResult
    expect(result.flag).toBe('unified_llm_hub')
  }, 60_000)
})
