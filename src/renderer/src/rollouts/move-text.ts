import type { MoveOption } from '@shared/views'

/** A move's button label, with the target main computed: "Advance to 25 %", "Roll back to 0 %". */
export function moveLabel(option: Pick<MoveOption, 'move' | 'target'>): string {
  const to = option.target.rollout_percentage === undefined ? '' : ` to ${option.target.rollout_percentage} %`
  switch (option.move) {
    case 'advance':
      return `Advance${to}`
    case 'back':
      return `Step back${to}`
    case 'rollback':
      return `Roll back${to}`
    case 'kill':
      return 'Kill (flag off)'
    case 'enable':
      return 'Enable at 0 % (whitelisted users)'
    case 'adopt':
      return `Adopt ${option.target.rollout_percentage ?? '?'} % as the position`
  }
}
