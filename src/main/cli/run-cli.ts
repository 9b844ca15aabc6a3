import { parseArgs } from 'node:util'
import { toContractError } from '@shared/errors'
import { GLOBAL_OPTIONS, type CliCommand, type OptionValues } from './cli-command'
import { quietWhenOutputCloses, type CliIo } from './cli-io'
import { CliRuntime } from './cli-runtime'
import { noteMovedAsideHistory, writeWarning } from './history-notices'
import { loadCommands } from './commands'
import { exitCodeFor, UsageError } from './usage-error'

/** Runs one `rampart` invocation and returns its exit code (0 ok, 1 operational failure, 2 bad usage/input). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json')
  quietWhenOutputCloses(io.stdout, io.stderr)
  let runtime: CliRuntime | null = null
  try {
    const commands = await loadCommands(argv[0])
    const { command, rest, group } = findCommand(commands, argv)
    if (command === null) {
      io.stdout.write(group === null ? overview(commands) : groupOverview(commands, group))
      return rest.length === 0 || rest.includes('--help') || rest.includes('-h') ? 0 : 2
    }
    const { values, positionals } = parseCommandArgs(command, rest)
    if (values.help === true) {
      io.stdout.write(`${command.usage}\n`)
      return 0
    }
    // `history acknowledge` is the remedy the warning names; it says what it acknowledged instead.
    if (command.words.join(' ') !== 'history acknowledge') noteMovedAsideHistory(io, wantsJson)
    runtime = new CliRuntime({
      workspacePath: typeof values.workspace === 'string' ? values.workspace : undefined,
      env: io.env,
      cwd: io.cwd,
      // A file this very command found unreadable and moved aside.
      onHistoryWarning: (warning) => writeWarning(io, wantsJson, warning)
    })
    await command.run({ values, positionals }, io, runtime)
    return 0
  } catch (error) {
    const contractError = toContractError(error)
    if (wantsJson) io.stderr.write(`${JSON.stringify({ error: contractError })}\n`)
    else io.stderr.write(`rampart: ${contractError.message}\n`)
    if (error instanceof UsageError && !wantsJson) io.stderr.write(`Run "rampart --help" for usage.\n`)
    return exitCodeFor(error)
  } finally {
    await runtime?.close()
  }
}

/** A command, or (command null) the overview of every command or of one group's (`rampart rollout --help`). */
interface FoundCommand {
  command: CliCommand | null
  rest: string[]
  group: string | null
}

function findCommand(commands: CliCommand[], argv: string[]): FoundCommand {
  // Longest match first: "rollout status" before a hypothetical "rollout".
  const sorted = [...commands].sort((a, b) => b.words.length - a.words.length)
  for (const command of sorted) {
    if (command.words.every((word, index) => argv[index] === word)) {
      return { command, rest: argv.slice(command.words.length), group: null }
    }
  }
  const first = argv[0]
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { command: null, rest: [], group: null }
  // A group named without one of its commands ("rampart rollout", "rampart db --help") lists them.
  const second = argv[1]
  if (groupCommands(commands, first).length > 0 && (second === undefined || second.startsWith('-')))
    return { command: null, rest: argv.slice(1), group: first }
  throw new UsageError(
    `unknown command "${argv
      .filter((word) => !word.startsWith('-'))
      .slice(0, 2)
      .join(' ')}"`
  )
}

function parseCommandArgs(command: CliCommand, rest: string[]): { values: OptionValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: command.positionals === true
    })
    return { values: parsed.values as OptionValues, positionals: parsed.positionals }
  } catch (error) {
    throw new UsageError(`${command.words.join(' ')}: ${(error as Error).message}`)
  }
}

function overview(commands: CliCommand[]): string {
  const lines = commands.map((command) => `  rampart ${command.words.join(' ').padEnd(20)} ${command.summary}`)
  return [
    'rampart: operator console for guarded feature rollouts',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --json (one JSON object per line), --workspace FILE and --env NAME.',
    'Exit codes: 0 success, 1 operational failure, 2 bad usage or bad input.',
    ''
  ].join('\n')
}

function groupCommands(commands: CliCommand[], group: string): CliCommand[] {
  return commands.filter((command) => command.words.length > 1 && command.words[0] === group)
}

function groupOverview(commands: CliCommand[], group: string): string {
  const lines = groupCommands(commands, group).map(
    (command) => `  rampart ${command.words.join(' ').padEnd(20)} ${command.summary}`
  )
  return [
    `rampart ${group}: one of these commands`,
    '',
    ...lines,
    '',
    `Run "rampart ${group} COMMAND --help" for its options.`,
    ''
  ].join('\n')
}
