import type { CliCommand } from '../cli-command'

/**
 * The command groups, each a module loaded only when its first word is typed: `rampart flags
 * list` loads the flag commands, not the database, Docker or guard ones (and their schemas).
 * The overview and an unknown command load them all. The order here is the overview's.
 */
const COMMAND_GROUPS: Array<{ word: string; load: () => Promise<CliCommand[]> }> = [
  { word: 'status', load: async () => [(await import('./status')).statusCommand] },
  {
    word: 'flags',
    load: async () => {
      const [evaluation, read] = await Promise.all([import('./flags-eval'), import('./flags-read')])
      return [evaluation.flagsEvalCommand, read.flagsListCommand, read.flagsGetCommand]
    }
  },
  {
    word: 'rollout',
    load: async () => {
      const [rollout, watch] = await Promise.all([import('./rollout'), import('./rollout-watch')])
      return [rollout.rolloutStatusCommand, ...rollout.rolloutMoveCommands, watch.rolloutWatchCommand]
    }
  },
  { word: 'rollback', load: async () => [(await import('./rollback')).rollbackCommand] },
  { word: 'runbook', load: async () => (await import('./runbook')).runbookCommands },
  {
    word: 'history',
    load: async () => {
      const [history, verify] = await Promise.all([import('./history'), import('./history-verify')])
      return [
        history.historyListCommand,
        history.historyShowCommand,
        history.historyExportCommand,
        verify.historyVerifyCommand,
        verify.historyAcknowledgeCommand
      ]
    }
  },
  { word: 'db', load: async () => (await import('./db')).dbCommands },
  { word: 'demo', load: async () => (await import('./demo')).demoCommands },
  { word: 'guards', load: async () => (await import('./guards')).guardsCommands },
  { word: 'logs', load: async () => [(await import('./logs')).logsCommand] },
  { word: 'serve', load: async () => [(await import('./serve')).serveCommand] }
]

/** The commands of the group `firstWord` names, or every command when it names none. */
export async function loadCommands(firstWord: string | undefined): Promise<CliCommand[]> {
  const named = COMMAND_GROUPS.filter((group) => group.word === firstWord)
  const groups = named.length > 0 ? named : COMMAND_GROUPS
  return (await Promise.all(groups.map((group) => group.load()))).flat()
}
