import type { CliCommand } from '../cli-command'
import { dbCommands } from './db'
import { demoCommands } from './demo'
import { flagsEvalCommand } from './flags-eval'
import { flagsGetCommand, flagsListCommand } from './flags-read'
import { guardsCommands } from './guards'
import { historyExportCommand, historyListCommand, historyShowCommand } from './history'
import { historyAcknowledgeCommand, historyVerifyCommand } from './history-verify'
import { logsCommand } from './logs'
import { rollbackCommand } from './rollback'
import { rolloutMoveCommands, rolloutStatusCommand } from './rollout'
import { rolloutWatchCommand } from './rollout-watch'
import { runbookCommands } from './runbook'
import { serveCommand } from './serve'
import { statusCommand } from './status'

export const COMMANDS: CliCommand[] = [
  statusCommand,
  flagsEvalCommand,
  flagsListCommand,
  flagsGetCommand,
  rolloutStatusCommand,
  ...rolloutMoveCommands,
  rolloutWatchCommand,
  rollbackCommand,
  ...runbookCommands,
  historyListCommand,
  historyShowCommand,
  historyExportCommand,
  historyVerifyCommand,
  historyAcknowledgeCommand,
  ...dbCommands,
  ...demoCommands,
  ...guardsCommands,
  logsCommand,
  serveCommand
]
