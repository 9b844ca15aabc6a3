/**
 * Known secrets never land in the history file, the backups' records or any output: a Postgres
 * password and a flag API token, given as `${VAR}` references in the workspace, go through every
 * command that handles them (the built CLI against a Postgres container that `db setup` itself
 * creates, and a flag API on loopback that requires the token); then every file under
 * RAMPART_HOME and the working folder, and everything each command printed, is searched for them.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, RAMPART_BIN, requireBuiltCli, type CliRun } from '@test/fixtures/rampart-cli'
import { PROJECT_MIGRATIONS } from '@test/support/database-bench'
import {
  connectTestEngine,
  freePort,
  POSTGRES_FIXTURE_IMAGE,
  removeContainers,
  uniqueContainerName
} from '@test/support/docker-test-env'

const PASSWORD = `pg-${randomBytes(12).toString('hex')}`
const TOKEN = `tok-${randomBytes(12).toString('hex')}`
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`
const SECRETS = [PASSWORD, TOKEN, WRONG_PASSWORD]

let dir: string
let container: string
let api: Server
const runs: Array<{ args: string[]; run: CliRun }> = []

/** The flag API of the operated service, answering only with the right bearer token. */
function startFlagApi(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end()
      return
    }
    response.setHeader('content-type', 'application/json')
    if (request.url === '/api/v1/features/') {
      response.end(JSON.stringify({ flags: [{ flag: 'unified_llm_hub' }] }))
      return
    }
    response.end(
      JSON.stringify({
        config: { enabled: true, rollout_percentage: 10, whitelist_users: [], blacklist_users: [] }
      })
    )
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  requireBuiltCli()
  dir = mkdtempSync(path.join(tmpdir(), 'rampart-secrets-'))
  container = uniqueContainerName('secrets-pg')
  api = await startFlagApi()
  const port = await freePort()
  writeFileSync(
    path.join(dir, 'rampart.config.yaml'),
    [
      'default_environment: dev',
      'environments:',
      '  dev:',
      '    postgres:',
      `      container: ${container}`,
      `      image: ${POSTGRES_FIXTURE_IMAGE}`,
      '      host: 127.0.0.1',
      `      port: ${port}`,
      '      user: rampart',
      '      password: ${SECRETS_TEST_PG_PASSWORD}',
      '      database: secrets_test',
      '      disposable: true',
      '      network: host',
      `    migrations: ${PROJECT_MIGRATIONS}`,
      '  api:',
      '    flag_source:',
      '      kind: http',
      `      base_url: http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      '      token: ${SECRETS_TEST_FLAG_TOKEN}',
      ''
    ].join('\n')
  )
}, 60_000)

afterAll(async () => {
  const engine = await connectTestEngine()
  await removeContainers(engine, [container])
  engine.close()
  await new Promise((resolve) => api?.close(resolve))
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

/** The built CLI, without blocking this process (the flag API above answers from it). */
function rampart(args: string[], overrides: Record<string, string> = {}): Promise<CliRun> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    RAMPART_HOME: path.join(dir, 'home'),
    SECRETS_TEST_PG_PASSWORD: PASSWORD,
    SECRETS_TEST_FLAG_TOKEN: TOKEN,
    ...overrides
  }
  if (process.env.DOCKER_HOST !== undefined) env.DOCKER_HOST = process.env.DOCKER_HOST
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAMPART_BIN, ...args], { cwd: dir, env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (status) => {
      const run = { status, stdout, stderr }
      runs.push({ args, run })
      resolve(run)
    })
  })
}

async function succeeds(args: string[]): Promise<CliRun> {
  const run = await rampart(args)
  expect(run.status, `rampart ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0)
  return run
}

/** Every file below `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const file = path.join(root, name)
    return statSync(file).isDirectory() ? filesUnder(file) : [file]
  })
}

describe('secrets given as ${VAR} references', () => {
  it('appear in no file and no output after every command that handles them', async () => {
    await succeeds(['db', 'setup', '--json'])
    await succeeds(['db', 'setup'])
    await succeeds(['db', 'status'])
    await succeeds(['db', 'status', '--json'])
    await succeeds(['db', 'verify', '--json'])
    const rollback = await succeeds(['db', 'rollback', '--confirm', '--json'])
    const backup = (jsonLines(rollback.stdout).at(-1) as { result: { backup: { file: string } } }).result.backup.file
    await succeeds(['db', 'migrate', '--json'])
    await succeeds(['db', 'rollback', '--confirm'])
    await succeeds(['db', 'restore', '--backup', backup, '--confirm', '--json'])
    await succeeds(['db', 'repair', '--confirm', '--json'])
    await succeeds(['flags', 'list', '--env', 'api'])
    await succeeds(['flags', 'get', '--flag', 'unified_llm_hub', '--env', 'api', '--json'])
    await succeeds(['rollout', 'status', '--flag', 'unified_llm_hub', '--env', 'api'])
    // A refused login prints what Postgres answered; the password tried must not be in it either.
    const refused = await rampart(['db', 'status', '--json'], { SECRETS_TEST_PG_PASSWORD: WRONG_PASSWORD })
    expect(refused.status).toBe(1)
    const wrongToken = await rampart(['flags', 'list', '--env', 'api'], { SECRETS_TEST_FLAG_TOKEN: WRONG_PASSWORD })
    expect(wrongToken.status).not.toBe(0)
    await succeeds(['status'])
    await succeeds(['history', 'list', '--json'])
    await succeeds(['history', 'export', '--format', 'md'])
    await succeeds(['history', 'export', '--format', 'jsonl', '--out', path.join(dir, 'history.jsonl')])
    await succeeds(['history', 'verify'])
    await succeeds(['runbook', 'list', '--json'])

    const files = filesUnder(dir)
    // The history file and the backup are among them, so the search looked where the records are.
    expect(files.some((file) => file.endsWith('history.db'))).toBe(true)
    expect(files).toContain(backup)
    for (const secret of SECRETS) {
      const needle = Buffer.from(secret, 'utf8')
      for (const file of files) expect(readFileSync(file).includes(needle), `${secret} found in ${file}`).toBe(false)
      for (const { args, run } of runs) {
        expect(
          run.stdout.includes(secret) || run.stderr.includes(secret),
          `${secret} printed by rampart ${args.join(' ')}`
        ).toBe(false)
      }
    }
  }, 600_000)
})
