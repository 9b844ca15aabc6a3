import type { FlagView } from '@shared/views'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalString } from '../cli-values'
import { interruptedNotice } from '../runbook-run-lines'

/**
 * `rampart status`: what an operator checks first — the workspace, each flag's exposure, runbooks
 * a crash left unfinished, and whether the history file's chain is intact. Read-only.
 */
export const statusCommand: CliCommand = {
  words: ['status'],
  summary: 'Overview: flags and their exposure, interrupted runbooks, history chain',
  usage: 'rampart status [--env NAME] [--json]',
  options: {},
  async run({ values }, io, runtime) {
    const services = await runtime.services()
    const workspace = services.workspace.describe()
    const requested = optionalString(values, 'env')
    const environments =
      requested === undefined ? workspace.environments.map((environment) => environment.name) : [requested]
    const flags: FlagView[] = []
    for (const environment of environments) flags.push(...(await services.flags.list(environment)))
    const interrupted = services.runbooks.listInterrupted()
    const chain = services.history.verify()
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) {
      await out.json({
        workspace: workspace.source,
        history: workspace.historyPath,
        historyWarning: workspace.historyWarning,
        actor: workspace.actor,
        flags,
        interrupted: interrupted.map((run) => ({
          id: run.id,
          runbook: run.runbook,
          environment: run.environment,
          interruption: run.interruption,
          resumable: run.resumable
        })),
        chain
      })
    } else {
      await out.line(`workspace: ${workspace.source}    history: ${workspace.historyPath}    you: ${workspace.actor}`)
      if (workspace.historyWarning !== null) await out.line(`WARNING: ${workspace.historyWarning}`)
      for (const view of flags) await out.line(`  ${describeFlag(view)}`)
      for (const line of interruptedNotice(interrupted)) await out.line(line)
      await out.line(
        chain.ok
          ? `history: ${chain.count} events, chain intact`
          : `history: CHAIN BROKEN (${chain.problems.length} problem(s)); run "rampart history verify"`
      )
    }
    await out.flush()
  }
}

function describeFlag(view: FlagView): string {
  const where = `${view.flag} [${view.environment}]`
  if (view.state === null) return `${where}  unreadable: ${view.error?.message ?? 'unknown error'}`
  const exposure = view.state.enabled
    ? `ON ${view.state.rollout_percentage}%`
    : `OFF (${view.state.rollout_percentage}%)`
  const drift = view.position?.kind === 'drift' ? '  DRIFT: off the path 0 → 10 → 25 → 50 → 100' : ''
  return `${where}  ${exposure}${drift}  (${view.source} ${view.origin})`
}
