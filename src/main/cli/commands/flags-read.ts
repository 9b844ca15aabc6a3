import { RampartError } from '@shared/errors'
import type { FlagView } from '@shared/views'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalString, requiredString } from '../cli-values'
import type { Writable } from 'node:stream'

export const flagsListCommand: CliCommand = {
  words: ['flags', 'list'],
  summary: "List an environment's flags and their state",
  usage: 'rampart flags list [--env NAME] [--json]',
  options: {},
  async run({ values }, io, runtime) {
    const views = await (await runtime.flags()).list(optionalString(values, 'env'))
    await printFlagViews(views, flag(values, 'json'), io.stdout)
    refuseUnreadable(views)
  }
}

export const flagsGetCommand: CliCommand = {
  words: ['flags', 'get'],
  summary: "Show one flag's state",
  usage: 'rampart flags get --flag F [--env NAME] [--json]',
  options: { flag: { type: 'string' } },
  async run({ values }, io, runtime) {
    const view = await (await runtime.flags()).get(optionalString(values, 'env'), requiredString(values, 'flag'))
    await printFlagViews([view], flag(values, 'json'), io.stdout)
    refuseUnreadable([view])
  }
}

/**
 * A flag whose value cannot be read is shown with its error, and the command then fails with that
 * error (docs/env-file-flags.md): a bad value exits 2 (naming the file, line and variable), an
 * unreachable flag API 1, so a script never takes a listing with a broken flag for a good one.
 */
function refuseUnreadable(views: FlagView[]): void {
  const failed = views.flatMap((view) => (view.error === null ? [] : [{ view, error: view.error }]))
  if (failed.length === 0) return
  const operational = failed.find(({ error }) => error.code !== 'bad_input')
  const message =
    failed.length === 1
      ? failed[0]!.error.message
      : failed.map(({ view, error }) => `${view.flag} [${view.environment}]: ${error.message}`).join('\n')
  throw new RampartError((operational ?? failed[0]!).error.code, message)
}

async function printFlagViews(views: FlagView[], json: boolean, stdout: Writable): Promise<void> {
  const out = new LineWriter(stdout)
  for (const view of views) {
    if (json) {
      await out.json(view)
      continue
    }
    if (view.state === null) {
      await out.line(`${view.flag}  [${view.environment}]  unreadable: ${view.error?.message ?? 'unknown error'}`)
      continue
    }
    const state = view.state
    const position =
      view.position?.kind === 'drift'
        ? `${state.rollout_percentage}% (drift, off the path)`
        : `${state.rollout_percentage}%`
    await out.line(
      `${view.flag}  [${view.environment}]  ${state.enabled ? 'ENABLED' : 'DISABLED'}  rollout ${position}`
    )
    await out.line(`  whitelist: ${state.whitelist_users.join(', ') || '-'}`)
    await out.line(`  blacklist: ${state.blacklist_users.join(', ') || '-'}`)
    await out.line(`  dates:     ${state.start_date ?? '-'} .. ${state.end_date ?? '-'}`)
    await out.line(`  source:    ${view.source} ${view.origin}`)
  }
  await out.flush()
}
