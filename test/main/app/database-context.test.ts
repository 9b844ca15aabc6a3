import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDatabaseContext } from '@main/app/database-context'
import { RampartError } from '@shared/errors'
import { ServiceWorkspace } from '@test/fixtures/service-workspace'

let workspace: ServiceWorkspace

beforeEach(() => {
  workspace = new ServiceWorkspace()
})

afterEach(() => {
  workspace.cleanup()
})

describe('createDatabaseContext', () => {
  it('opens the history file under RAMPART_HOME and records a failed migration there as the actor', async () => {
    const context = createDatabaseContext({
      cwd: workspace.dir,
      env: { RAMPART_HOME: workspace.home, RAMPART_ACTOR: 'night-shift' },
      clock: workspace.clock
    })
    try {
      expect(context.store.path).toBe(path.join(workspace.home, 'history.db'))
      expect(existsSync(context.store.path)).toBe(true)
      expect(context.historyNotices).toEqual([])
      // The workspace names no migrations folder that exists: the run fails naming it, and is recorded.
      const failed = context.database.migrate({ environment: 'local' })
      await expect(failed).rejects.toBeInstanceOf(RampartError)
      await expect(failed).rejects.toThrow(`${path.join(workspace.dir, 'migrations')} does not exist`)
      expect(context.store.runbooks.list()).toMatchObject([
        { runbook: 'db-migrate', environment: 'local', actor: 'night-shift', status: 'failed' }
      ])
    } finally {
      context.close()
    }
  })

  it('refuses to start on an invalid workspace, naming the file', () => {
    expect(() =>
      createDatabaseContext({
        cwd: workspace.dir,
        workspacePath: 'missing.yaml',
        env: { RAMPART_HOME: workspace.home },
        clock: workspace.clock
      })
    ).toThrow(path.join(workspace.dir, 'missing.yaml'))
  })
})
