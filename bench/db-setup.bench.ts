// Test-database setup through Rampart (the DatabaseService runbook: readiness, terminate, drop,
// create, baseline and migrations with ledger and catalog snapshots, seeds, history records)
// against the same steps scripted with plain `docker exec … psql` (drop, create, 001, 002,
// seeds), in the same run, on the same running Postgres container. Median of 3 after a
// warm-up each; the runs alternate so a busy moment hits both alike.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DockerEngine } from '@main/docker/docker-engine'
import { HistoryStore } from '@main/history/history-store'
import { PostgresTarget } from '@main/database/postgres-target'
import { toWorkspace, WorkspaceSchema } from '@main/workspace/core/workspace-schema'
import { systemClock } from '@main/platform/clock'
import { DatabaseService } from '@main/database/database-service'
import { ProgressBus } from '@main/runbooks/progress-bus'
import { RunbookRunner } from '@main/runbooks/runbook-runner'
import { benchEnvironments, startBenchPostgres } from './bench-postgres'
import { msList, report } from './bench-timing'

const RUNS = 3
const image = process.env.RAMPART_FIXTURE_POSTGRES_IMAGE ?? 'rampart-fixture/postgres:15'
const root = join(__dirname, '..')
const migrations = join(root, 'migrations')
const name = `rampart-bench-db-setup-${process.pid}`
const user = 'unicorn'
const password = 'bench-password'

/** One `docker exec` running psql inside the container (over its socket, as the seed's script does). */
function psql(database: string, args: string[], input?: Buffer): void {
  const result = spawnSync(
    'docker',
    [
      'exec',
      ...(input === undefined ? [] : ['-i']),
      name,
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      '-q',
      '-U',
      user,
      '-d',
      database,
      ...args
    ],
    {
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe']
    }
  )
  if (result.status !== 0)
    throw new Error(`docker exec psql ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`)
}

function plainSetup(database: string): void {
  psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
  psql('postgres', ['-c', `CREATE DATABASE ${database} OWNER ${user}`])
  for (const file of [
    '001_baseline.sql',
    '002_llm_management_tables.sql',
    'seeds/tier_rules.sql',
    'seeds/test_users.sql'
  ]) {
    psql(database, ['-1'], readFileSync(join(migrations, file)))
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function main(): Promise<void> {
  const engine = await DockerEngine.connect()
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-db-'))
  const history = HistoryStore.open(join(dir, 'history.db'))
  try {
    const { port } = await startBenchPostgres(engine, { name, image, user, password, bench: 'db-setup' })

    const workspace = toWorkspace(
      WorkspaceSchema.parse({
        environments: benchEnvironments({ name, image, port, user, migrations })
      }),
      null,
      root
    )
    const service = new DatabaseService({
      workspace,
      env: { BENCH_PG_PASSWORD: password },
      history,
      runbooks: new RunbookRunner({ history, bus: new ProgressBus(), clock: systemClock, actor: 'bench' }),
      docker: { forEnvironment: () => engine },
      clock: systemClock,
      actor: 'bench',
      backupsDirectory: join(dir, 'backups')
    })
    const rampartSetup = async (): Promise<number> => {
      const started = process.hrtime.bigint()
      const result = await service.setup({})
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6
      if (result.appliedVersions.join(',') !== '1,2' || result.seeds.length !== 2)
        throw new Error('the Rampart setup did not apply everything')
      return elapsed
    }
    const plain = (): number => {
      const started = process.hrtime.bigint()
      plainSetup('bench_plain')
      return Number(process.hrtime.bigint() - started) / 1e6
    }

    // Warm-up, and the proof that both end with the same users and tier rules.
    await rampartSetup()
    plain()
    const count = async (database: string): Promise<string> => {
      const rows = await new PostgresTarget({ host: '127.0.0.1', port, user, password, database }).query<{
        users: number
        rules: number
      }>('SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM llm_tier_rules)::int AS rules')
      return JSON.stringify(rows[0])
    }
    const [viaRampart, viaPlain] = [await count('bench_rampart'), await count('bench_plain')]
    if (viaRampart !== viaPlain)
      throw new Error(`different results: rampart ${viaRampart}, docker exec psql ${viaPlain}`)

    const rampartMs: number[] = []
    const plainMs: number[] = []
    for (let run = 0; run < RUNS; run += 1) {
      rampartMs.push(await rampartSetup())
      plainMs.push(plain())
    }
    const baseline = median(plainMs)
    report(`test-database setup, median of ${RUNS} (same container, same steps)`, [
      { name: 'docker exec … psql (drop, create, 001, 002, seeds)', ms: baseline },
      { name: 'rampart db setup service (10 recorded steps)', ms: median(rampartMs), baselineMs: baseline }
    ])
    console.log(`  runs: rampart ${msList(rampartMs)} ms; docker exec psql ${msList(plainMs)} ms`)
  } finally {
    history.close()
    rmSync(dir, { recursive: true, force: true })
    await engine.removeContainer(name, { force: true, volumes: true })
    engine.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
