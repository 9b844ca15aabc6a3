import type { CliCommand } from '../cli-command'
import { dbCommands } from './db'
import { flagsEvalCommand } from './flags-eval'
import { flagsGetCommand, flagsListCommand } from './flags-read'
import { historyExportCommand, historyListCommand, historyShowCommand, historyVerifyCommand } from './history'
import { logsCommand } from './logs'
import { rolloutMoveCommands, rolloutStatusCommand } from './rollout'
import { serveCommand } from './serve'

export const COMMANDS: CliCommand[] = [
  flagsEvalCommand,
  flagsListCommand,
  flagsGetCommand,
  rolloutStatusCommand,
  ...rolloutMoveCommands,
  historyListCommand,
  historyShowCommand,
  historyExportCommand,
  historyVerifyCommand,
  ...dbCommands,
  logsCommand,
  serveCommand
]
