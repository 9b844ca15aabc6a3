import { existsSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext } from '@main/app/app-context'
import { dispatchInvoke } from '@main/transport/contract-dispatch'
import { contract, streams } from '@shared/contract/contract'
import { RampartError } from '@shared/errors'
import { ServiceWorkspace } from '@test/fixtures/service-workspace'

let workspace: ServiceWorkspace

beforeEach(() => {
  workspace = new ServiceWorkspace()
})

afterEach(() => {
  workspace.cleanup()
})

describe('createAppContext', () => {
  it('opens the history file under RAMPART_HOME and names the actor from RAMPART_ACTOR', async () => {
    const context = await workspace.open('night-shift')
    expect(context.historyPath).toBe(path.join(workspace.home, 'history.db'))
    expect(existsSync(context.historyPath)).toBe(true)
    expect(context.services.workspace.describe().actor).toBe('night-shift')
    const { event } = await context.services.rollout.move({ flag: 'unified_llm_hub', move: 'back', reason: 'r' })
    expect(event.actor).toBe('night-shift')
  })

  it('names the OS user as the actor when RAMPART_ACTOR is not set', async () => {
    const context = await createAppContext({
      cwd: workspace.dir,
      env: { RAMPART_HOME: workspace.home },
      clock: workspace.clock
    })
    try {
      expect(context.services.workspace.describe().actor).toBe(userInfo().username)
    } finally {
      context.close()
    }
  })

  it('loads the workspace named by workspacePath, relative to cwd', async () => {
    writeFileSync(path.join(workspace.dir, 'ops.yaml'), 'environments:\n  ops: {}\n')
    const context = await createAppContext({
      cwd: workspace.dir,
      workspacePath: 'ops.yaml',
      env: { RAMPART_HOME: workspace.home, RAMPART_ACTOR: 'tester' },
      clock: workspace.clock
    })
    try {
      expect(context.workspace.file).toBe(path.join(workspace.dir, 'ops.yaml'))
      expect(context.workspace.defaultEnvironment).toBe('ops')
    } finally {
      context.close()
    }
  })

  it('refuses to start on an invalid workspace, naming the file and line', async () => {
    writeFileSync(
      path.join(workspace.dir, 'rampart.config.yaml'),
      'environments:\n  local:\n    postgres:\n      port: "5432"\n'
    )
    const attempt = createAppContext({
      cwd: workspace.dir,
      env: { RAMPART_HOME: workspace.home },
      clock: workspace.clock
    })
    await expect(attempt).rejects.toBeInstanceOf(RampartError)
    await expect(attempt).rejects.toThrow(
      `${path.join(workspace.dir, 'rampart.config.yaml')} line 4: environments.local.postgres.port`
    )
  })

  it('binds a handler for every operation of the contract and a producer for every stream', async () => {
    const context = await workspace.open()
    expect(Object.keys(context.handlers).sort()).toEqual(Object.keys(contract).sort())
    expect(Object.keys(context.producers).sort()).toEqual(Object.keys(streams).sort())
  })

  it('answers a contract call through the same services', async () => {
    const context = await workspace.open()
    const result = await dispatchInvoke(
      context.handlers,
      'flags.get',
      { flag: 'unified_llm_hub' },
      { transport: 'test' }
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).toMatchObject({ flag: 'unified_llm_hub', state: { rollout_percentage: 10 } })
  })

  it('shares one history file between two contexts, as the app and the CLI do', async () => {
    const app = await workspace.open('app-user')
    const cli = await workspace.open('cli-user')
    await cli.services.rollout.move({ flag: 'unified_llm_hub', move: 'kill', reason: 'from the CLI' })
    expect(app.services.history.list().map((event) => [event.kind, event.actor])).toEqual([['kill', 'cli-user']])
  })

  it('closes the history file on close', async () => {
    const context = await workspace.open()
    context.close()
    expect(() => context.services.history.list()).toThrow()
  })
})
