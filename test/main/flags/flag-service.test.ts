import { mkdirSync, rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { seedEnvText, ServiceWorkspace } from '@test/fixtures/service-workspace'
import { rejectionOf } from '@test/support/rampart-error'

const FLAG = 'unified_llm_hub'
const TWO_FLAGS = ['environments:', '  local:', '    flags: [unified_llm_hub, checkout_v2]', ''].join('\n')

let workspace: ServiceWorkspace

afterEach(() => {
  workspace.cleanup()
})

describe('FlagService.list', () => {
  it("shows each declared flag's state, where it came from and where it sits on the path", async () => {
    workspace = new ServiceWorkspace()
    const context = await workspace.open()
    const [view, ...rest] = await context.services.flags.list()
    expect(rest).toEqual([])
    expect(view).toEqual({
      environment: 'local',
      flag: FLAG,
      source: 'env-file',
      origin: workspace.envPath,
      state: {
        enabled: true,
        rollout_percentage: 10,
        whitelist_users: ['admin@example.com'],
        blacklist_users: [],
        start_date: '2025-10-27',
        end_date: null
      },
      error: null,
      writable: {
        enabled: true,
        rollout_percentage: true,
        whitelist_users: true,
        blacklist_users: true,
        start_date: true,
        end_date: true
      },
      position: { kind: 'phase', phase: 10 }
    })
  })

  it('shows a percentage off the path as drift with the phase below it', async () => {
    workspace = new ServiceWorkspace({ envText: seedEnvText(37) })
    const context = await workspace.open()
    expect((await context.services.flags.list())[0]!.position).toEqual({
      kind: 'drift',
      percentage: 37,
      phaseBelow: 25
    })
  })

  it(
    'shows a bad value in the .env as an error in words naming file, line and variable, ' + 'instead of throwing',
    async () => {
      workspace = new ServiceWorkspace({ envText: seedEnvText('ten') })
      const context = await workspace.open()
      const [view] = await context.services.flags.list()
      expect(view).toMatchObject({ flag: FLAG, state: null, writable: null, position: null, origin: workspace.envPath })
      expect(view!.error?.code).toBe('bad_input')
      expect(view!.error?.message).toContain(`FEATURE_LLM_HUB_ROLLOUT=ten in ${workspace.envPath} line 6`)
      expect(view!.error?.message).toContain('is not a percentage')
    }
  )

  it('shows a missing .env as an error in words', async () => {
    workspace = new ServiceWorkspace()
    rmSync(workspace.envPath)
    const context = await workspace.open()
    const [view] = await context.services.flags.list()
    expect(view!.state).toBeNull()
    expect(view!.error).toEqual({ code: 'bad_input', message: `env file ${workspace.envPath} does not exist` })
  })

  it('shows a .env that is a folder as an error in words', async () => {
    workspace = new ServiceWorkspace()
    rmSync(workspace.envPath)
    mkdirSync(workspace.envPath)
    const context = await workspace.open()
    const [view] = await context.services.flags.list()
    expect(view!.error?.message).toBe(`env file ${workspace.envPath} is a directory, not a file`)
  })

  it('keeps the readable flags of a file when only one flag has a bad value', async () => {
    workspace = new ServiceWorkspace({
      workspaceYaml: TWO_FLAGS,
      envText: `${seedEnvText(25)}\nFEATURE_CHECKOUT_V2=yes\nFEATURE_CHECKOUT_V2_ROLLOUT=150\n`
    })
    const context = await workspace.open()
    const views = await context.services.flags.list()
    expect(views.map((view) => view.flag)).toEqual(['unified_llm_hub', 'checkout_v2'])
    expect(views[0]!.state?.rollout_percentage).toBe(25)
    expect(views[0]!.error).toBeNull()
    expect(views[1]!.state).toBeNull()
    expect(views[1]!.error?.message).toContain('FEATURE_CHECKOUT_V2_ROLLOUT=150')
  })

  it('refuses an environment the workspace does not have', async () => {
    workspace = new ServiceWorkspace()
    const context = await workspace.open()
    const error = await rejectionOf(context.services.flags.list('staging'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('No environment "staging"')
  })
})

describe('FlagService.get and readState', () => {
  it('refuses an undeclared flag, naming the declared ones', async () => {
    workspace = new ServiceWorkspace({ workspaceYaml: TWO_FLAGS })
    const context = await workspace.open()
    const error = await rejectionOf(context.services.flags.get(undefined, 'unified-llm-hub'))
    expect(error.code).toBe('bad_input')
    expect(error.message).toBe(
      'Flag "unified-llm-hub" is not declared in environment "local" (declared: unified_llm_hub, checkout_v2)'
    )
    const read = await rejectionOf(context.services.flags.readState(undefined, 'checkout'))
    expect(read.message).toContain('(declared: unified_llm_hub, checkout_v2)')
  })

  it('reads a declared flag that uses the default variable names', async () => {
    workspace = new ServiceWorkspace({
      workspaceYaml: TWO_FLAGS,
      envText: `${seedEnvText(10)}\nFEATURE_CHECKOUT_V2=on\nFEATURE_CHECKOUT_V2_ROLLOUT=50\n`
    })
    const context = await workspace.open()
    expect(await context.services.flags.readState(undefined, 'checkout_v2')).toMatchObject({
      enabled: true,
      rollout_percentage: 50
    })
  })

  it('shows an unreadable flag from get as an error in words, and throws it from readState', async () => {
    workspace = new ServiceWorkspace({ envText: seedEnvText(10, 'maybe') })
    const context = await workspace.open()
    const view = await context.services.flags.get(undefined, FLAG)
    expect(view.state).toBeNull()
    expect(view.error?.message).toContain('FEATURE_UNIFIED_LLM_HUB=maybe')
    const error = await rejectionOf(context.services.flags.readState(undefined, FLAG))
    expect(error.code).toBe('bad_input')
    expect(error.message).toContain('FEATURE_UNIFIED_LLM_HUB=maybe')
  })
})

describe('FlagService.evaluate', () => {
  it('evaluates a user at the given instant, with the bucket and reason', async () => {
    workspace = new ServiceWorkspace({ envText: seedEnvText(100) })
    const context = await workspace.open()
    const view = await context.services.flags.evaluate(undefined, FLAG, 'alice', Date.parse('2025-11-01T12:00:00Z'))
    expect(view).toEqual({
      environment: 'local',
      flag: FLAG,
      user: 'alice',
      at: '2025-11-01T12:00:00.000Z',
      enabled: true,
      reason: 'in_rollout',
      bucket: 95
    })
  })

  it('says before_start for an instant before the start date', async () => {
    workspace = new ServiceWorkspace({ envText: seedEnvText(100) })
    const context = await workspace.open()
    const view = await context.services.flags.evaluate(undefined, FLAG, 'alice', Date.parse('2025-10-26T23:59:59.999Z'))
    expect(view).toMatchObject({ enabled: false, reason: 'before_start' })
  })

  it('uses the clock when no instant is given', async () => {
    workspace = new ServiceWorkspace({ at: '2025-10-01T00:00:00.000Z' })
    const context = await workspace.open()
    const view = await context.services.flags.evaluate(undefined, FLAG, 'alice')
    expect(view).toMatchObject({ at: '2025-10-01T00:00:00.000Z', reason: 'before_start' })
  })

  it('lets a whitelisted user in at 10 % whatever the bucket, ignoring case and spaces', async () => {
    workspace = new ServiceWorkspace()
    const context = await workspace.open()
    expect(await context.services.flags.evaluate(undefined, FLAG, ' Admin@Example.com ')).toMatchObject({
      enabled: true,
      reason: 'whitelisted'
    })
  })

  it('treats an empty user as absent: off below 100 %', async () => {
    workspace = new ServiceWorkspace()
    const context = await workspace.open()
    expect(await context.services.flags.evaluate(undefined, FLAG, '')).toMatchObject({
      user: null,
      enabled: false,
      reason: 'outside_rollout',
      bucket: null
    })
  })
})
