/**
 * `rampart db …` as a user runs it (the built executable: npx electron-vite build), against a
 * Postgres fixture container on the real engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, requireBuiltCli, runRampart, type CliRun } from '@test/fixtures/rampart-cli'
import { PROJECT_MIGRATIONS } from '@test/support/database-bench'
import { POSTGRES_FIXTURE_IMAGE } from '@test/support/docker-test-env'
import {
  FIXTURE_PASSWORD,
  FIXTURE_USER,
  startPostgresFixture,
  type PostgresFixture
} from '@test/support/postgres-fixture'

let fixture: PostgresFixture
let dir: string

beforeAll(async () => {
  requireBuiltCli()
  fixture = await startPostgresFixture('cli-db')
  dir = mkdtempSync(join(tmpdir(), 'rampart-cli-db-'))
  writeFileSync(
    join(dir, 'rampart.config.yaml'),
    [
      'default_environment: dev',
      'environments:',
      '  dev:',
      '    postgres:',
      `      container: ${fixture.container}`,
      `      image: ${POSTGRES_FIXTURE_IMAGE}`,
      '      host: 127.0.0.1',
      `      port: ${fixture.port}`,
      `      user: ${FIXTURE_USER}`,
      '      password: ${CLI_TEST_PG_PASSWORD}',
      '      database: cli_test',
      '      disposable: true',
      '      network: host',
      `    migrations: ${PROJECT_MIGRATIONS}`,
      ''
    ].join('\n')
  )
}, 120_000)

afterAll(async () => {
  await fixture?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

function rampart(args: string[]): CliRun {
  const env: Record<string, string> = { RAMPART_HOME: join(dir, 'home'), CLI_TEST_PG_PASSWORD: FIXTURE_PASSWORD }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  return runRampart(args, { cwd: dir, env })
}

type Line = { event: string; kind?: string; step?: string; status?: string; result?: Record<string, unknown> }

describe('rampart db (built CLI)', () => {
  it('db setup --json prints progress lines for every step, then the result line, never the password', () => {
    const run = rampart(['db', 'setup', '--json'])

    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const lines = jsonLines(run.stdout) as Line[]
    expect(lines.slice(0, -1).every((line) => line.event === 'progress')).toBe(true)
    expect(lines.filter((line) => line.kind === 'step_done')).toHaveLength(10)
    expect(lines.at(-2)).toMatchObject({ event: 'progress', kind: 'run_finished', status: 'succeeded' })
    const last = lines.at(-1)!
    expect(last.event).toBe('result')
    expect(last.result).toMatchObject({
      database: 'cli_test',
      appliedVersions: [1, 2],
      connectionString: `postgresql://${FIXTURE_USER}@127.0.0.1:${fixture.port}/cli_test`,
      password: 'password from ${CLI_TEST_PG_PASSWORD}'
    })
    expect(run.stdout).not.toContain(FIXTURE_PASSWORD)
  }, 120_000)

  it('db status --json prints one result line with each migration applied', () => {
    const run = rampart(['db', 'status', '--json'])

    expect(run.status).toBe(0)
    const lines = jsonLines(run.stdout) as Line[]
    expect(lines).toHaveLength(1)
    expect(lines[0]?.event).toBe('result')
    const result = lines[0]!.result as {
      currentVersion: number
      blocked: boolean
      entries: Array<{ version: number; state: string }>
    }
    expect(result.currentVersion).toBe(2)
    expect(result.blocked).toBe(false)
    expect(result.entries.map((entry) => [entry.version, entry.state])).toEqual([
      [1, 'applied'],
      [2, 'applied']
    ])
  }, 60_000)

  it('db setup shows each step with ✓ and its duration on the terminal', () => {
    const run = rampart(['db', 'setup'])

    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/✓ \[4\/10\] Drop database cli_test {2}\d+ ms — dropped cli_test/)
    expect(run.stdout).toContain(
      `Test database ready: postgresql://${FIXTURE_USER}@127.0.0.1:${fixture.port}/cli_test (password from \${CLI_TEST_PG_PASSWORD})`
    )
  }, 120_000)

  it('db rollback without --confirm is refused with exit code 1 and changes nothing', () => {
    const run = rampart(['db', 'rollback', '--json'])

    expect(run.status).toBe(1)
    expect(JSON.parse(run.stderr.trim())).toMatchObject({ error: { code: 'refused' } })
    const status = jsonLines(rampart(['db', 'status', '--json']).stdout) as Line[]
    expect((status[0]!.result as { currentVersion: number }).currentVersion).toBe(2)
  }, 60_000)

  it('db rollback --confirm then db restore --backup FILE --confirm brings version 2 back', () => {
    const rollback = rampart(['db', 'rollback', '--confirm', '--json'])
    expect(rollback.status).toBe(0)
    const result = (jsonLines(rollback.stdout) as Line[]).at(-1)!.result as {
      toVersion: number
      backup: { file: string }
    }
    expect(result.toVersion).toBe(1)

    const restore = rampart(['db', 'restore', '--backup', result.backup.file, '--confirm'])

    expect(restore.status).toBe(0)
    expect(restore.stdout).toContain(`restored from ${result.backup.file}`)
    expect((jsonLines(rampart(['db', 'status', '--json']).stdout)[0] as Line).result).toMatchObject({
      currentVersion: 2
    })
  }, 120_000)

  it('exits 2 on bad input, naming the option', () => {
    const run = rampart(['db', 'migrate', '--to', 'abc'])

    expect(run.status).toBe(2)
    expect(run.stderr).toContain('--to abc is not a whole number')
  })
})
