import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '@main/app/app-context'
import { compileFlag } from '@main/flags/core/flag-evaluation'
import { EnvironmentRegistry } from '@main/flags/environment-registry'
import { GuardService, type GuardWatchRequest } from '@main/guards/guard-service'
import { idleTicker, LineFeed, windowLines } from '@test/fixtures/guard-line-feed'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'
const WINDOW_MS = 10_000

function workspaceYaml(guards: string): string {
  return [
    'environments:',
    '  local:',
    '    service: { container: ops-center-guard-test }',
    '    flag_source: { kind: env-file, path: ./.env }',
    `    guards: { ${guards} }`,
    ''
  ].join('\n')
}

let workspace: ServiceWorkspace
let context: AppContext
let feed: LineFeed

beforeEach(async () => {
  workspace = new ServiceWorkspace({
    envText: seedEnvText(10),
    workspaceYaml: workspaceYaml('window_seconds: 10, min_requests: 20, breach_windows: 2, lateness_seconds: 0')
  })
  context = await workspace.open()
  feed = new LineFeed()
})

afterEach(() => {
  workspace.cleanup()
})

function service(): GuardService {
  return new GuardService({
    environments: new EnvironmentRegistry(context.workspace),
    logs: context.services.logs,
    docker: context.services.docker,
    history: context.services.store,
    clock: workspace.clock,
    actor: 'tester',
    ticker: idleTicker,
    lineSource: () => feed.source
  })
}

describe('GuardService.prepare', () => {
  it("judges with the environment's guards, lateness from the workspace, and the overrides on top", async () => {
    const watch = await service().prepare({ flag: FLAG, overrides: { min_requests: 50, max_error_rate: 0.1 } })
    expect(watch.plan).toMatchObject({
      environment: 'local',
      container: 'ops-center-guard-test',
      startMs: workspace.clock.now().getTime(),
      settings: {
        window_seconds: 10,
        min_requests: 50,
        max_error_rate: 0.1,
        max_latency_degradation: 0.5,
        breach_windows: 2,
        lateness_seconds: 0,
        action: 'rollback'
      }
    })
  })

  it('decides a window one window after it ends when the workspace gives no lateness', async () => {
    const other = new ServiceWorkspace({ workspaceYaml: workspaceYaml('window_seconds: 30') })
    try {
      const otherContext = await other.open()
      const guards = new GuardService({
        environments: new EnvironmentRegistry(otherContext.workspace),
        logs: otherContext.services.logs,
        docker: otherContext.services.docker,
        history: otherContext.services.store,
        clock: other.clock,
        actor: 'tester'
      })
      expect((await guards.prepare({ flag: FLAG })).plan.settings.lateness_seconds).toBe(30)
    } finally {
      other.cleanup()
    }
  })

  it('refuses overrides the workspace would refuse, naming the field', async () => {
    const error = await rejectionOf(service().prepare({ flag: FLAG, overrides: { max_error_rate: 2 } }))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('max_error_rate')
  })

  it('refuses a flag the environment does not declare unless a fixed state is given', async () => {
    const request: GuardWatchRequest = { flag: 'other_flag' }
    expect((await rejectionOf(service().prepare(request))).message).toContain('not declared in environment "local"')
    const fixed = await service().prepare({
      ...request,
      flagState: {
        enabled: true,
        rollout_percentage: 5,
        whitelist_users: [],
        blacklist_users: [],
        start_date: null,
        end_date: null
      }
    })
    expect(fixed.plan.flag).toBe('other_flag')
  })

  it('names the env file when the flag state cannot be read', async () => {
    workspace.writeEnv(seedEnvText('abc'))
    const error = await rejectionOf(service().prepare({ flag: FLAG }))
    expect(error.message).toMatch(
      /reading flag unified_llm_hub of environment "local" from .*\.env, to attribute events that carry no "flags": .*FEATURE_LLM_HUB_ROLLOUT/
    )
  })
})

describe('GuardService watch', () => {
  it(
    'stores every window and re-reads the flag state after each one, ' + 'so events without flags follow a move',
    async () => {
      const users = Array.from({ length: 200 }, (_, index) => `user-${index}@example.com`)
      const expectedTreatment = (percentage: number): number => {
        const evaluate = compileFlag(FLAG, {
          enabled: true,
          rollout_percentage: percentage,
          whitelist_users: ['admin@example.com'],
          blacklist_users: [],
          start_date: '2025-10-27',
          end_date: null
        })
        return users.filter((user) => evaluate(user, workspace.clock.now().getTime()).enabled).length
      }
      const startMs = workspace.clock.now().getTime()
      const at = (index: number): number => startMs + index * WINDOW_MS
      const closing = (index: number): string[] =>
        windowLines(FLAG, at(index), WINDOW_MS, { treatment: 0, control: 1, withoutFlags: true })
      const stop = new AbortController()
      const decided: number[] = []
      const watching = service().watch(
        { flag: FLAG },
        { onWindow: (window) => void decided.push(window.treatment.requests) },
        stop.signal
      )
      feed.push(windowLines(FLAG, at(0), WINDOW_MS, { treatment: 0, control: 200, withoutFlags: true, users }))
      feed.push(closing(1))
      await until(() => decided.length === 1)
      workspace.writeEnv(seedEnvText(50))
      // The next decided window re-reads the file; lines after it are judged at 50 %.
      feed.push(closing(2))
      await until(() => decided.length === 2)
      feed.push(windowLines(FLAG, at(3), WINDOW_MS, { treatment: 0, control: 200, withoutFlags: true, users }))
      feed.push(closing(4))
      await until(() => decided.length === 4)
      stop.abort()
      await watching

      expect(decided[0]).toBe(expectedTreatment(10))
      expect(decided[3]).toBe(expectedTreatment(50))
      expect(expectedTreatment(50)).toBeGreaterThan(expectedTreatment(10))
      expect(
        context.services.store.guardWindows.listGuardWindows(FLAG, 'local').map((record) => record.windowStart)
      ).toEqual([0, 1, 2, 3].map((index) => new Date(at(index)).toISOString()))
    }
  )

  it(
    'refuses a second watch of the same flag while the first stores windows, ' +
      'naming who holds it, and allows one after it ends',
    async () => {
      const stop = new AbortController()
      const first = service().watch({ flag: FLAG }, {}, stop.signal)
      await until(() => existsSync(`${context.historyPath}.guards-watch.local.${FLAG}.lock`))
      const second = await rejectionOf((await service().prepare({ flag: FLAG })).run(new AbortController().signal))
      expect(second.message).toMatch(
        /already being watched by tester \(pid \d+ on .*\), storing every window in .*history\.db; a second watch would store each window twice/
      )
      stop.abort()
      await first

      const again = new AbortController()
      const third = service().watch({ flag: FLAG }, {}, again.signal)
      again.abort()
      expect((await third).stopped).toBe('aborted')
    }
  )
})

/** Waits (without a clock) until the watch's asynchronous work has caught up. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let round = 0; round < 2000; round += 1) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  throw new Error('condition not met')
}
