// `rampart db migrate` of the sample migrations (001, 002) into a fresh database against
// postgrator 8 (a node script with pg) and `psql -1 -f 001 -f 002`, all three as processes from
// spawn to exit, on one Postgres container, alternating round by round. Each round starts from
// freshly created databases (not timed). Before timing, the three schemas are compared column by
// column (the ledgers, which differ by design, left out).
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DockerEngine } from '@main/docker/docker-engine'
import { PostgresTarget } from '@main/database/postgres-target'
import { benchEnvironments, startBenchPostgres } from './bench-postgres'
import { recordFigure } from './bench-results'

const RUNS = Number(process.env.RAMPART_BENCH_RUNS ?? 5)
const image = process.env.RAMPART_FIXTURE_POSTGRES_IMAGE ?? 'rampart-fixture/postgres:15'
const root = join(__dirname, '..')
const cli = join(root, 'bin', 'rampart.js')
const migrations = join(root, 'migrations')
const name = `rampart-bench-db-migrate-${process.pid}`
const user = 'unicorn'
const password = 'bench-password'
const FILES = ['001_baseline.sql', '002_llm_management_tables.sql']

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return ms
}

/**
 * Where one `rampart db migrate --json` run spends its time, from its progress lines' timestamps
 * (millisecond ISO instants) and the "applied in N ms" of each file.
 */
function migrateBreakdown(args: string[], env: NodeJS.ProcessEnv): string {
  const spawnedAt = Date.now()
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' })
  const exitedAt = Date.now()
  if (result.status !== 0) throw new Error(`rampart db migrate exited ${result.status}: ${result.stderr}`)
  const events = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind?: string; message?: string; at?: string })
  const at = (test: (event: { kind?: string; message?: string }) => boolean): number => {
    const event = events.find(test)
    if (event?.at === undefined) throw new Error(`no such progress line in: ${result.stdout}`)
    return Date.parse(event.at)
  }
  const recorded = at((event) => event.kind === 'run_started')
  const locked = at((event) => event.message?.startsWith('migration lock taken') === true)
  const firstApply = at((event) => event.message?.startsWith('applying ') === true)
  const appliedLines = events.filter((event) => /applied in \d+ ms/.test(event.message ?? ''))
  const lastApplied = Date.parse(appliedLines.at(-1)!.at!)
  const sqlMs = appliedLines.reduce((sum, event) => sum + Number(/applied in (\d+) ms/.exec(event.message!)![1]), 0)
  return (
    `${recorded - spawnedAt} ms from spawn to the run recorded (node, the bundle, the workspace, the history ` +
    `file), ${locked - recorded} ms to connect and take the lock, ${firstApply - locked} ms for the ledger table ` +
    `and the plan, ${sqlMs} ms running the files’ SQL and ${lastApplied - firstApply - sqlMs} ms around it ` +
    `(transactions, catalog snapshots, ledger rows), ${exitedAt - lastApplied} ms to record the end, close and exit`
  )
}

async function main(): Promise<void> {
  const engine = await DockerEngine.connect()
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-db-migrate-'))
  try {
    const { port, admin } = await startBenchPostgres(engine, { name, image, user, password, bench: 'db-migrate' })
    const fresh = async (database: string): Promise<void> => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      await admin.query(`CREATE DATABASE ${database} OWNER ${user}`)
    }

    // Rampart: a workspace naming the container's database; its history file in the bench's folder.
    const workspaceFile = join(dir, 'rampart.config.yaml')
    writeFileSync(
      workspaceFile,
      JSON.stringify({
        environments: benchEnvironments({ name, image, port, user, migrations })
      })
    )
    const home = join(dir, 'home')
    mkdirSync(home)
    const rampartEnv = {
      ...process.env,
      RAMPART_HOME: home,
      RAMPART_WORKSPACE: workspaceFile,
      RAMPART_ACTOR: 'bench',
      BENCH_PG_PASSWORD: password
    }
    const rampartArgs = [cli, 'db', 'migrate', '--env', 'bench', '--json']

    // postgrator: the same files under its naming (NNN.do.name.sql).
    const postgratorDir = join(dir, 'postgrator')
    mkdirSync(postgratorDir)
    for (const file of FILES) {
      const [, version, rest] = /^(\d+)_(.*)$/.exec(file)!
      copyFileSync(join(migrations, file), join(postgratorDir, `${version}.do.${rest}`))
    }
    const postgratorScript = join(dir, 'postgrator-migrate.cjs')
    writeFileSync(
      postgratorScript,
      `const postgratorModule = require(${JSON.stringify(require.resolve('postgrator'))})
const Postgrator = postgratorModule.default ?? postgratorModule
const pg = require(${JSON.stringify(require.resolve('pg'))})
;(async () => {
  const client = new pg.Client({ host: '127.0.0.1', port: ${port}, user: '${user}',
    password: process.env.BENCH_PG_PASSWORD, database: 'bench_postgrator' })
  await client.connect()
  const postgrator = new Postgrator({
    migrationPattern: ${JSON.stringify(join(postgratorDir, '*'))},
    driver: 'pg',
    database: 'bench_postgrator',
    execQuery: (query) => client.query(query)
  })
  await postgrator.migrate()
  await client.end()
})().catch((error) => { console.error(error); process.exit(1) })
`
    )
    const postgratorEnv = { ...process.env, BENCH_PG_PASSWORD: password }
    const psqlEnv = { ...process.env, PGPASSWORD: password }
    const psqlArgs = [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      user,
      '-d',
      'bench_psql',
      '-q',
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-1',
      ...FILES.flatMap((file) => ['-f', join(migrations, file)])
    ]

    const schema = async (database: string): Promise<string> => {
      const rows = await new PostgresTarget({ host: '127.0.0.1', port, user, password, database }).query(
        `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT IN ('schemaversion', 'rampart_schema_history')
         ORDER BY table_name, ordinal_position`
      )
      return JSON.stringify(rows)
    }

    const round = async (): Promise<{ rampart: number; postgrator: number; psql: number }> => {
      for (const database of ['bench_rampart', 'bench_postgrator', 'bench_psql']) await fresh(database)
      return {
        rampart: timed(process.execPath, rampartArgs, rampartEnv),
        postgrator: timed(process.execPath, [postgratorScript], postgratorEnv),
        psql: timed('psql', psqlArgs, psqlEnv)
      }
    }
    // Warm-up, and the proof that the three end with the same schema.
    await round()
    const [viaRampart, viaPostgrator, viaPsql] = [
      await schema('bench_rampart'),
      await schema('bench_postgrator'),
      await schema('bench_psql')
    ]
    if (viaRampart !== viaPostgrator || viaRampart !== viaPsql)
      throw new Error('rampart, postgrator and psql left different schemas')
    const columns = (JSON.parse(viaRampart) as unknown[]).length
    const runs: Array<{ rampart: number; postgrator: number; psql: number }> = []
    for (let index = 0; index < RUNS; index += 1) runs.push(await round())
    await fresh('bench_rampart')
    const parts = migrateBreakdown(rampartArgs, rampartEnv)
    console.log(`  one more rampart run, by its progress lines: ${parts}`)

    const agreed =
      `yes, column by column: the same ${columns} columns (name, type, nullability, default) ` + 'in every table'
    const work = `db migrate of ${FILES.length} migrations into a fresh database, spawn to exit`
    const bound =
      'Tried: the db commands load only their own context (the workspace, the history file, the runbook runner; ' +
      '0.94 MB of JavaScript instead of the whole app’s 1.37 MB); one connection for the whole run; each ' +
      'migration’s ledger row is written in its own transaction; one catalog snapshot per migration plus one ' +
      '(each after-snapshot is the next before-snapshot; rollback and verify need them). Bounded by, in one more ' +
      `run timed by its own progress lines: ${parts}.`
    recordFigure({
      work,
      rampart: '`rampart db migrate`',
      peer: 'postgrator 8 (node script, pg)',
      unit: 'ms',
      rampartValues: runs.map((entry) => entry.rampart),
      peerValues: runs.map((entry) => entry.postgrator),
      goal: { ratio: 1.0 },
      agreed,
      ifNotMet: bound
    })
    recordFigure({
      work,
      rampart: '`rampart db migrate`',
      peer: '`psql -1 -f 001 -f 002`',
      unit: 'ms',
      rampartValues: runs.map((entry) => entry.rampart),
      peerValues: runs.map((entry) => entry.psql),
      goal: { ratio: 2.0 },
      agreed,
      ifNotMet: bound
    })
    console.log(`  rampart history files: ${readdirSync(home).join(', ')}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await engine.removeContainer(name, { force: true, volumes: true })
    engine.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
