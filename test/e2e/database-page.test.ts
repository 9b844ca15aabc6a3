/**
 * The Database page in Chromium over browser mode, against a real Postgres fixture container
 * (host networking, 127.0.0.1, a free port) and the project's migrations: the overview, then
 * test-database setup, migrate up to a version and the rest, rollback (the backup and the
 * verification shown) and restore of the listed backup, each confirmed on the page and checked
 * in the database itself. A second environment on the same server is protected and not
 * disposable: its refusals are shown beside the action. Every state is checked with axe and
 * photographed into test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresTarget } from '@main/database/postgres-target'
import { seedEnvText } from '../fixtures/service-workspace'
import { checkAccessibility } from '../support/axe-check'
import { FLAG, openConsole, WAIT, type ConsoleSession } from '../support/browser-console'
import { PROJECT_MIGRATIONS } from '../support/database-bench'
import { POSTGRES_FIXTURE_IMAGE } from '../support/docker-test-env'
import { FIXTURE_PASSWORD, FIXTURE_USER, startPostgresFixture, type PostgresFixture } from '../support/postgres-fixture'

const DATABASE = 'db_page_e2e'
const PASSWORD_VARIABLE = 'DB_PAGE_E2E_PG_PASSWORD'
/** Setup, a migration or a rollback with its pg_dump: seconds each on a busy machine. */
const OPERATION_WAIT = { timeout: 90_000, interval: 100 }
/** A test's budget: the operations it waits for, one after the other, at most three of them. */
const OPERATIONS_TEST_MS = 3 * OPERATION_WAIT.timeout
const SETUP_STEPS = [
  'Ensure the Postgres container runs',
  'Wait until Postgres accepts connections',
  `Terminate connections to ${DATABASE}`,
  `Drop database ${DATABASE}`,
  `Create database ${DATABASE}`,
  'Apply the baseline schema',
  'Apply migrations',
  'Seed the tier rules',
  'Create the test users',
  'Show the connection string'
]

let postgres: PostgresFixture
let session: ConsoleSession

function environmentYaml(name: string, dockerHost: string, extra: string[]): string {
  return [
    `  ${name}:`,
    '    docker:',
    `      host: ${dockerHost}`,
    '    service:',
    `      container: ${postgres.container}-service`,
    '    postgres:',
    `      container: ${postgres.container}`,
    `      image: ${POSTGRES_FIXTURE_IMAGE}`,
    '      host: 127.0.0.1',
    `      port: ${postgres.port}`,
    `      user: ${FIXTURE_USER}`,
    `      password: \${${PASSWORD_VARIABLE}}`,
    `      database: ${DATABASE}`,
    '      network: host',
    ...extra,
    `    migrations: ${PROJECT_MIGRATIONS}`,
    '    flag_source:',
    '      kind: env-file',
    '      path: ./.env',
    '      mappings:',
    `        ${FLAG}:`,
    '          enabled: FEATURE_UNIFIED_LLM_HUB',
    '          rollout_percentage: FEATURE_LLM_HUB_ROLLOUT',
    '          whitelist_users: FEATURE_LLM_HUB_WHITELIST',
    '          blacklist_users: FEATURE_LLM_HUB_BLACKLIST',
    '          start_date: FEATURE_LLM_HUB_START_DATE',
    '          end_date: FEATURE_LLM_HUB_END_DATE',
    `    flags: [${FLAG}]`,
    ''
  ].join('\n')
}

beforeAll(async () => {
  postgres = await startPostgresFixture('db-page')
  // Main reads the password from the environment, as the workspace file says.
  process.env[PASSWORD_VARIABLE] = FIXTURE_PASSWORD
  const dockerHost = postgres.engine.endpoint.display
  const workspaceYaml =
    'version: 1\ndefault_environment: local\nenvironments:\n' +
    environmentYaml('local', dockerHost, ['      disposable: true']) +
    environmentYaml('shared', dockerHost, ['      disposable: false', '    protected: true'])
  session = await openConsole({ workspaceYaml, envText: seedEnvText(10) })
  await session.page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await session.page.getByRole('button', { name: 'Database', exact: true }).click()
}, 120_000)

afterAll(async () => {
  await session?.close()
  await postgres?.remove()
  delete process.env[PASSWORD_VARIABLE]
})

const page = () => session.page
const database = (): PostgresTarget => postgres.targetFor(DATABASE)
/** The database as main names it: user@host:port/database. */
const target = () => `${FIXTURE_USER}@127.0.0.1:${postgres.port}/${DATABASE}`

/** axe over the page as it stands (nothing serious or critical, nothing at all aimed for), then a picture. */
async function checked(state: string): Promise<void> {
  const report = await checkAccessibility(page(), state)
  expect(report.serious, JSON.stringify(report.serious, null, 1)).toEqual([])
  expect(report.violations, JSON.stringify(report.violations, null, 1)).toEqual([])
  await session.screenshot(state)
}

/** The migrations table as [version, state] pairs. */
async function migrationStates(): Promise<string[][]> {
  return page()
    .getByTestId('db-migration')
    .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-version')!, row.getAttribute('data-state')!]))
}

async function ledgerVersions(): Promise<number[]> {
  if (!(await tableExists('rampart_schema_history'))) return []
  const rows = await database().query<{ version: number }>(
    'SELECT version FROM rampart_schema_history WHERE success ORDER BY version'
  )
  return rows.map((row) => row.version)
}

async function tableExists(table: string): Promise<boolean> {
  const rows = await database().query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table])
  return rows[0]?.found !== null
}

/**
 * Watches one action's outcome area from now on: whether its steps were on the page while the
 * operation still ran (before its result), which is what "live" means here.
 */
async function watchLiveSteps(outcome: string, result: string): Promise<void> {
  // A string: the node typings of the tests know no DOM.
  await page().evaluate(`(() => {
    const area = document.querySelector('[data-testid="${outcome}"]')
    window.liveSteps = 0
    const look = () => {
      const steps = area.querySelectorAll('[data-testid="runbook-step"]').length
      if (steps > 0 && area.querySelector('[data-testid="${result}"]') === null) {
        window.liveSteps = Math.max(window.liveSteps, steps)
      }
    }
    new MutationObserver(look).observe(area, { childList: true, subtree: true, characterData: true })
  })()`)
}

const liveSteps = () => page().evaluate<number>('window.liveSteps')

async function stepNames(outcome: string): Promise<Array<[string, string]>> {
  return page()
    .getByTestId(outcome)
    .getByTestId('runbook-step')
    .evaluateAll((items) =>
      items.map((item): [string, string] => [
        item.querySelector('.runbook-step-name')?.textContent ?? '',
        /runbook-step-([a-z-]+)/.exec(item.className)?.[1] ?? ''
      ])
    )
}

describe('the Database page in Chromium against a real Postgres container', () => {
  it('shows the Postgres container, its health, the connection string redacted, what it cannot read', async () => {
    await expect.poll(() => page().getByTestId('db-container-state').textContent(), WAIT).toMatch(/^RUNNING/)
    const connection = await page().getByTestId('db-connection-string').inputValue()
    expect(connection).toBe(`postgresql://${FIXTURE_USER}@127.0.0.1:${postgres.port}/${DATABASE}`)
    expect(await page().getByTestId('db-overview').textContent()).not.toContain(FIXTURE_PASSWORD)
    expect(await page().getByTestId('db-password-source').textContent()).toContain(PASSWORD_VARIABLE)
    // The database does not exist before setup: the server's answer is missing, and the page says why.
    expect(await page().getByTestId('db-server-version').textContent()).toBe('did not answer')
    expect(await page().getByTestId('db-problems').textContent()).toContain(DATABASE)

    await page().getByTestId('db-copy').click()
    await expect.poll(() => page().getByTestId('db-copy-status').textContent(), WAIT).toBe('Copied')
    expect(await page().evaluate<string>('navigator.clipboard.readText()')).toBe(connection)
    await checked('database-overview-before-setup')
  })

  it(
    'sets the test database up after an explicit confirmation, its ten steps shown as they run',
    async () => {
      await page().getByTestId('db-setup-start').click()
      await expect.poll(() => page().getByTestId('db-setup-confirm').isVisible(), WAIT).toBe(true)
      await checked('database-setup-confirm')

      await watchLiveSteps('db-setup-outcome', 'db-setup-result')
      await page().getByTestId('db-setup-confirm-submit').click()
      await expect
        .poll(() => page().getByTestId('db-setup-result').textContent(), OPERATION_WAIT)
        .toMatch(new RegExp(`^Set up ${DATABASE} in ${postgres.container}: versions 1, 2 applied, seeds `))
      expect(await liveSteps()).toBeGreaterThan(0)
      expect(await stepNames('db-setup-outcome')).toEqual(SETUP_STEPS.map((name) => [name, 'done']))
      expect(await ledgerVersions()).toEqual([1, 2])

      // The page reads the database again: both migrations applied, the server answering.
      await expect.poll(migrationStates, WAIT).toEqual([
        ['1', 'applied'],
        ['2', 'applied']
      ])
      expect(await page().getByTestId('db-current-version').textContent()).toBe(`At version 2 (${target()}).`)
      await expect.poll(() => page().getByTestId('db-server-version').textContent(), WAIT).toMatch(/^PostgreSQL \d+/)
      await checked('database-setup-done')
    },
    OPERATIONS_TEST_MS
  )

  it(
    'rolls back with the database name typed: a pg_dump backup first, shown with the verification',
    async () => {
      await page().getByTestId('db-rollback-confirmation').fill('not-the-database')
      await page().getByTestId('db-rollback-submit').click()
      // Main compares the typed name and refuses; the refusal stands beside the action.
      await expect
        .poll(() => page().getByTestId('db-rollback-outcome').locator('[role="alert"]').textContent(), OPERATION_WAIT)
        .toContain('refused')
      expect(await ledgerVersions()).toEqual([1, 2])
      await checked('database-rollback-refused')

      await watchLiveSteps('db-rollback-outcome', 'db-rollback-result')
      await page().getByTestId('db-rollback-confirmation').fill(DATABASE)
      await page().getByTestId('db-rollback-submit').click()
      await expect
        .poll(() => page().getByTestId('db-rollback-result').textContent(), OPERATION_WAIT)
        .toMatch(/^Rolled back from version 2 to 1: 2 /)
      expect(await liveSteps()).toBeGreaterThan(0)
      const backupFile = await page().getByTestId('db-backup-file').textContent()
      expect(backupFile).toMatch(new RegExp(`/backups/local/${DATABASE}-[0-9TZ.]+\\.dump$`))
      const verification = page().getByTestId('db-rollback-outcome').getByTestId('db-verification')
      expect(await verification.getAttribute('data-ok')).toBe('true')
      expect(await ledgerVersions()).toEqual([1])
      expect(await tableExists('llm_tier_rules')).toBe(false)
      await expect.poll(migrationStates, WAIT).toEqual([
        ['1', 'applied'],
        ['2', 'pending']
      ])
      await checked('database-rollback-done')

      // The backup is offered for restore, newest first.
      await expect.poll(() => page().getByTestId('db-restore-chosen').textContent(), WAIT).toContain(backupFile!)
    },
    OPERATIONS_TEST_MS
  )

  it(
    'restores the listed backup with the name typed: version 2 and its tables back, verified',
    async () => {
      await watchLiveSteps('db-restore-outcome', 'db-restore-result')
      await page().getByTestId('db-restore-confirmation').fill(DATABASE)
      await checked('database-restore-confirm')
      await page().getByTestId('db-restore-submit').click()
      await expect
        .poll(() => page().getByTestId('db-restore-result').textContent(), OPERATION_WAIT)
        .toMatch(new RegExp(`^Restored ${target()} from .*its SHA-256 matching the record`))
      expect(await liveSteps()).toBeGreaterThan(0)
      const verification = page().getByTestId('db-restore-outcome').getByTestId('db-verification')
      expect(await verification.getAttribute('data-ok')).toBe('true')
      expect(await ledgerVersions()).toEqual([1, 2])
      expect(await tableExists('llm_tier_rules')).toBe(true)
      await expect.poll(migrationStates, WAIT).toEqual([
        ['1', 'applied'],
        ['2', 'applied']
      ])
      await checked('database-restore-done')
    },
    OPERATIONS_TEST_MS
  )

  it(
    'migrates up to a chosen version, then finds nothing left pending',
    async () => {
      // The newest migration rolled back first, so there is something to migrate.
      await page().getByTestId('db-rollback-confirmation').fill(DATABASE)
      await page().getByTestId('db-rollback-submit').click()
      await expect.poll(ledgerVersions, OPERATION_WAIT).toEqual([1])
      await expect.poll(migrationStates, WAIT).toEqual([
        ['1', 'applied'],
        ['2', 'pending']
      ])

      await page().getByTestId('db-migrate-target').selectOption('2')
      await checked('database-migrate-choice')
      await watchLiveSteps('db-migrate-outcome', 'db-migrate-result')
      await page().getByTestId('db-migrate-submit').click()
      await expect
        .poll(() => page().getByTestId('db-migrate-result').textContent(), OPERATION_WAIT)
        .toBe('Applied 2: from version 1 to 2.')
      expect(await liveSteps()).toBeGreaterThan(0)
      expect(await ledgerVersions()).toEqual([1, 2])
      await expect.poll(migrationStates, WAIT).toEqual([
        ['1', 'applied'],
        ['2', 'applied']
      ])
      await checked('database-migrate-done')

      // Every pending migration: none is left.
      expect(await page().getByTestId('db-migrate-target').inputValue()).toBe('')
      await page().getByTestId('db-migrate-submit').click()
      await expect
        .poll(() => page().getByTestId('db-migrate-result').textContent(), OPERATION_WAIT)
        .toBe('Up to date at version 2: nothing pending.')
      expect(await ledgerVersions()).toEqual([1, 2])
    },
    OPERATIONS_TEST_MS
  )

  it('verifies the database read-only: no orphaned row', async () => {
    await page().getByTestId('db-verify-submit').click()
    await expect
      .poll(() => page().getByTestId('db-verify-outcome').getByTestId('db-verification').getAttribute('data-ok'), WAIT)
      .toBe('true')
    expect(await page().getByTestId('db-verify-outcome').textContent()).toContain('no orphaned row')
    await checked('database-verify-done')
  })

  it(
    'shows the refusals of a protected, not disposable environment beside the action',
    async () => {
      await page().getByLabel('Environment').selectOption('shared')
      await expect.poll(() => page().getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('Database in shared')
      await expect.poll(() => page().getByTestId('db-overview').textContent(), WAIT).toContain('not disposable')

      await page().getByTestId('db-setup-start').click()
      await page().getByTestId('db-setup-confirm-submit').click()
      const refusal = page().getByTestId('db-setup-outcome').locator('[role="alert"]')
      await expect.poll(() => refusal.textContent(), OPERATION_WAIT).toMatch(/refused/)
      expect(await refusal.textContent()).toMatch(/disposable|protected/)
      // Nothing was dropped.
      expect(await ledgerVersions()).toEqual([1, 2])
      await checked('database-setup-refused')

      await page().getByLabel('Environment').selectOption('local')
      await expect.poll(() => page().getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('Database in local')
    },
    OPERATIONS_TEST_MS
  )

  it('ran without console errors, warnings or Content-Security-Policy violations', () => {
    expect(session.consoleProblems).toEqual([])
  })
})
