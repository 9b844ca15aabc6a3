import { ROLLOUT_MOVES, type RolloutMove } from '@shared/rollout-types'
import type { RolloutStatusView } from '@shared/views'
import { LineWriter } from '../cli-io'
import type { CliCommand } from '../cli-command'
import { flag, optionalString, requiredString } from '../cli-values'
import { killWithoutHistory, printUnrecordedKill } from '../unrecorded-kill-lines'

export const rolloutStatusCommand: CliCommand = {
  words: ['rollout', 'status'],
  summary: 'Where a rollout stands and which moves are open',
  usage: 'rampart rollout status --flag F [--env NAME] [--json]',
  options: { flag: { type: 'string' } },
  async run({ values }, io, runtime) {
    const status = await (
      await runtime.services()
    ).rollout.status(optionalString(values, 'env'), requiredString(values, 'flag'))
    const out = new LineWriter(io.stdout)
    if (flag(values, 'json')) await out.json(status)
    else for (const line of describeStatus(status)) await out.line(line)
    await out.flush()
  }
}

const MOVE_SUMMARIES: Record<RolloutMove, string> = {
  advance: 'Advance to the next phase (guards must pass; --confirm FLAG to reach 100 %)',
  back: 'Step back to the previous phase',
  rollback: 'Roll back to 0 % (whitelisted users only)',
  kill: 'Disable the flag (the emergency action)',
  enable: 'Turn a killed flag on again at 0 % (whitelisted users only)',
  adopt: 'Record a hand-set phase in the source as the rollout position (its soak starts now)'
}

function moveCommand(move: RolloutMove): CliCommand {
  return {
    words: ['rollout', move],
    summary: MOVE_SUMMARIES[move],
    usage: [
      `rampart rollout ${move} --flag F --reason TEXT${move === 'advance' ? ' [--confirm F]' : ''} ` +
        '[--env NAME] [--no-restart] [--json]',
      '  With an env-file flag source the service reads the file at start, so its container is restarted',
      '  and its health awaited after the move; --no-restart leaves that for its next start.'
    ].join('\n'),
    options: {
      flag: { type: 'string' },
      reason: { type: 'string' },
      'no-restart': { type: 'boolean', default: false },
      ...(move === 'advance' ? { confirm: { type: 'string' } } : {})
    },
    async run({ values }, io, runtime) {
      const request = {
        environment: optionalString(values, 'env'),
        flag: requiredString(values, 'flag'),
        move,
        reason: requiredString(values, 'reason'),
        confirmation: optionalString(values, 'confirm'),
        restart: !flag(values, 'no-restart')
      }
      let result
      try {
        result = await (await runtime.services()).moves.move(request)
      } catch (error) {
        if (move !== 'kill') throw error
        // The emergency kill is never blocked by the history file (docs/runbooks.md).
        const { environment, ...kill } = request
        const unrecorded = await killWithoutHistory(error, runtime, {
          ...kill,
          ...(environment === undefined ? {} : { environment })
        })
        return printUnrecordedKill(io, flag(values, 'json'), unrecorded, 'move')
      }
      const out = new LineWriter(io.stdout)
      if (flag(values, 'json')) await out.json(result)
      else {
        const from = result.event.fromState as { enabled?: boolean; rollout_percentage?: number } | null
        // A kill past a bad value: the percentages on record are defaults standing in for it, so they are not shown.
        const unreadable = (result.event.detail as { unreadable?: string[] } | null)?.unreadable ?? []
        const exposure = unreadable.length > 0 ? describeEnabled : describeExposure
        await out.line(
          `${result.event.flag}: ${exposure(from)} -> ${exposure(result.state)}  ` +
            `(recorded as #${result.event.seq} by ${result.event.actor})`
        )
        for (const problem of unreadable) await out.line(`  still to fix by hand: ${problem}`)
        await out.line(`  service: ${result.service.message}`)
      }
      await out.flush()
    }
  }
}

export const rolloutMoveCommands: CliCommand[] = ROLLOUT_MOVES.map(moveCommand)

function describeEnabled(state: { enabled?: boolean } | null): string {
  return state === null ? '?' : state.enabled === false ? 'disabled' : 'enabled'
}

function describeExposure(state: { enabled?: boolean; rollout_percentage?: number } | null): string {
  if (state === null) return '?'
  return state.enabled === false
    ? `disabled (${state.rollout_percentage ?? '?'}%)`
    : `${state.rollout_percentage ?? '?'}%`
}

function describeStatus(status: RolloutStatusView): string[] {
  const position =
    status.position.kind === 'drift'
      ? `${status.position.percentage}% — DRIFT: off the path 0 → 10 → 25 → 50 → 100`
      : `${status.position.phase}%`
  const lines = [
    `${status.flag} [${status.environment}${status.protected ? ', protected' : ''}]  ` +
      `${status.state.enabled ? 'ENABLED' : 'DISABLED'}  ${position}`,
    `  guards: ${status.guard.verdict}${status.guard.tripped ? ' (TRIPPED)' : ''}; ` +
      `phase entered ${status.phaseEnteredAt ?? 'unknown'}; soak ${status.minSoakSeconds} s`,
    '  moves:'
  ]
  for (const option of status.options) {
    const availability = option.available ? 'open' : `blocked: ${option.unmet.join('; ')}`
    lines.push(`    ${option.move.padEnd(8)} -> ${targetText(option.target).padEnd(8)} ${availability}`)
    if (option.rule !== null) lines.push(`${' '.repeat(25)}gate: ${option.rule}`)
  }
  return lines
}

function targetText(target: RolloutStatusView['options'][number]['target']): string {
  if (target.enabled === false) return 'disabled'
  if (target.enabled === true) return `on, ${target.rollout_percentage ?? 0}%`
  return `${target.rollout_percentage}%`
}
