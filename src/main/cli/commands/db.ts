import path from 'node:path'
import { RampartError } from '@shared/errors'
import { MAX_MIGRATION_VERSION } from '@shared/migration-types'
import type { DatabaseService } from '@main/database/database-service'
import type { CliIo } from '../cli-io'
import { LineWriter } from '../cli-io'
import type { CliCommand, OptionValues } from '../cli-command'
import { flag, optionalInteger, optionalString, requiredString } from '../cli-values'
import {
  migrateLines,
  repairLines,
  restoreLines,
  rollbackLines,
  setupLines,
  statusLines,
  verificationLines
} from '../db-result-lines'
import { printRunbookProgress } from '../runbook-progress-printer'
import { UsageError } from '../usage-error'

const CONFIRM_HELP =
  '  --confirm [DBNAME]  confirms the change; in a protected environment the database name must follow it'

/** `rampart db …`: one command per database operation, all through DatabaseService. */
export const dbCommands: CliCommand[] = [
  dbCommand({
    word: 'status',
    summary: 'Migrations of the environment’s database: applied, pending, changed, missing',
    usage: 'rampart db status [--env NAME] [--json]',
    run: async (database, { values }) => {
      const result = await database.status({ environment: optionalString(values, 'env') })
      return { result, lines: statusLines(result) }
    }
  }),
  dbCommand({
    word: 'setup',
    summary: 'Fresh test database: container, drop, create, migrations, seeds, test users',
    usage:
      'rampart db setup [--env NAME] [--json]\n' +
      'Refused unless the environment’s postgres.disposable is true and it is not protected.',
    run: async (database, { values }) => {
      const result = await database.setup({ environment: optionalString(values, 'env') })
      return { result, lines: setupLines(result) }
    }
  }),
  dbCommand({
    word: 'migrate',
    summary: 'Apply pending migrations (all, or up to --to VERSION)',
    usage: 'rampart db migrate [--to VERSION] [--env NAME] [--json]',
    options: { to: { type: 'string' } },
    run: async (database, { values }) => {
      const toVersion = optionalInteger(values, 'to', 1, MAX_MIGRATION_VERSION)
      const result = await database.migrate({
        environment: optionalString(values, 'env'),
        ...(toVersion === undefined ? {} : { toVersion })
      })
      return { result, lines: migrateLines(result) }
    }
  }),
  dbCommand({
    word: 'rollback',
    summary: 'Back up, then roll back the newest migration (or down to --to VERSION)',
    usage:
      'rampart db rollback [--to VERSION] --confirm [DBNAME] [--env NAME] [--json]\n' +
      '  --to VERSION  roll back every applied migration above VERSION (0: all)\n' +
      CONFIRM_HELP,
    options: { to: { type: 'string' }, confirm: { type: 'boolean', default: false } },
    positionals: true,
    run: async (database, args) => {
      const toVersion = optionalInteger(args.values, 'to', 0, MAX_MIGRATION_VERSION)
      const result = await database.rollback({
        environment: optionalString(args.values, 'env'),
        ...(toVersion === undefined ? {} : { toVersion }),
        ...confirmation(args)
      })
      return { result, lines: rollbackLines(result) }
    }
  }),
  dbCommand({
    word: 'restore',
    summary: 'Restore a backup taken by rollback (its checksum must match the record)',
    usage:
      'rampart db restore --backup FILE --confirm [DBNAME] [--force] [--env NAME] [--json]\n' +
      "  --force  restore even if the file's checksum is unknown or differs from the recorded one\n" +
      CONFIRM_HELP,
    options: {
      backup: { type: 'string' },
      force: { type: 'boolean', default: false },
      confirm: { type: 'boolean', default: false }
    },
    positionals: true,
    run: async (database, args, io) => {
      const result = await database.restore({
        environment: optionalString(args.values, 'env'),
        backupFile: path.resolve(io.cwd, requiredString(args.values, 'backup')),
        force: flag(args.values, 'force'),
        ...confirmation(args)
      })
      return { result, lines: restoreLines(result) }
    }
  }),
  dbCommand({
    word: 'verify',
    summary: 'Check the history against the catalog and every foreign key for orphaned rows',
    usage: 'rampart db verify [--env NAME] [--json]\nExits 1 when a problem is found.',
    run: async (database, { values }) => {
      const result = await database.verify({ environment: optionalString(values, 'env') })
      const failure = result.ok
        ? undefined
        : new RampartError('failed', `Verification of ${result.database} found problems (listed above)`)
      return { result, lines: [`${result.database}:`, ...verificationLines(result)], failure }
    }
  }),
  dbCommand({
    word: 'repair',
    summary: 'Accept the migration files as they are now (changed, missing, failed)',
    usage: `rampart db repair [--confirm DBNAME] [--env NAME] [--json]\n${CONFIRM_HELP}`,
    options: { confirm: { type: 'boolean', default: false } },
    positionals: true,
    run: async (database, args) => {
      const result = await database.repair({ environment: optionalString(args.values, 'env'), ...confirmation(args) })
      return { result, lines: repairLines(result) }
    }
  })
]

interface DbCommandArgs {
  values: OptionValues
  positionals: string[]
}

interface DbCommandSpec {
  word: string
  summary: string
  usage: string
  options?: CliCommand['options']
  positionals?: boolean
  run(
    database: DatabaseService,
    args: DbCommandArgs,
    io: CliIo
  ): Promise<{ result: unknown; lines: string[]; failure?: RampartError | undefined }>
}

/**
 * The frame every db command shares: progress shown while it runs, then the result as text or,
 * with --json, as `{"event":"result","result":…}` after the progress lines.
 */
function dbCommand(spec: DbCommandSpec): CliCommand {
  return {
    words: ['db', spec.word],
    summary: spec.summary,
    usage: spec.usage,
    options: spec.options ?? {},
    ...(spec.positionals === true ? { positionals: true } : {}),
    async run(args, io, runtime) {
      if (spec.positionals !== true && args.positionals.length > 0)
        throw new UsageError(`db ${spec.word} takes no arguments, got: ${args.positionals.join(' ')}`)
      const json = flag(args.values, 'json')
      const { database, progress } = await runtime.database()
      tolerateClosedOutput(io)
      const unsubscribe = progress.subscribe(printRunbookProgress(io, json))
      let outcome: Awaited<ReturnType<DbCommandSpec['run']>>
      try {
        outcome = await spec.run(database, args, io)
      } finally {
        unsubscribe()
      }
      if (io.stdout.writable) {
        const out = new LineWriter(io.stdout)
        if (json) await out.json({ event: 'result', result: outcome.result })
        else for (const line of outcome.lines) await out.line(line)
        await out.flush()
      }
      if (outcome.failure !== undefined) throw outcome.failure
    }
  }
}

const tolerant = new WeakSet<object>()

/**
 * A closed pipe (`rampart db setup | head`) ends the output, never the database work halfway.
 * The listener stays for the life of the stream: the EPIPE of a late write is emitted after the
 * command has returned.
 */
function tolerateClosedOutput(io: CliIo): void {
  if (tolerant.has(io.stdout)) return
  tolerant.add(io.stdout)
  io.stdout.on('error', () => undefined)
}

/**
 * `--confirm` alone is an explicit yes; `--confirm DBNAME` (the name as the one argument after
 * it) is the typed confirmation protected environments need.
 */
function confirmation(args: DbCommandArgs): { confirm?: boolean; confirmation?: string } {
  const confirmed = flag(args.values, 'confirm')
  if (args.positionals.length > 1)
    throw new UsageError(`--confirm takes one database name, got: ${args.positionals.join(' ')}`)
  const name = args.positionals[0]
  if (name !== undefined && !confirmed)
    throw new UsageError(`unexpected argument "${name}"; to confirm with the database name write --confirm ${name}`)
  if (!confirmed) return {}
  return name === undefined ? { confirm: true } : { confirm: true, confirmation: name }
}
