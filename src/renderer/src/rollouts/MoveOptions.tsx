import type { RolloutMove } from '@shared/rollout-types'
import type { MoveOption } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { moveLabel } from './move-text'

interface MoveOptionsProps {
  /** Prefix of the buttons' ids: `${idPrefix}-${move}`, so the panel can give the focus back. */
  idPrefix: string
  options: MoveOption[]
  chosen: RolloutMove | null
  onChoose: (option: MoveOption) => void
}

/**
 * The moves main offers from here, each with what still blocks it and, for advance, the rule
 * that opens the way. Kill is left to the emergency action in the header: one red action only.
 * A blocked move stays focusable, its reasons read with it, so they are reachable by keyboard.
 */
export function MoveOptions({ idPrefix, options, chosen, onChoose }: MoveOptionsProps) {
  const shown = options.filter((option) => option.move !== 'kill')
  if (shown.length === 0) return <p className="muted">No move is offered from this state.</p>
  return (
    <ul className="move-options" aria-label="Moves">
      {shown.map((option) => {
        const id = `${idPrefix}-${option.move}`
        const described = [
          option.rule === null ? null : `${id}-rule`,
          option.unmet.length === 0 ? null : `${id}-unmet`
        ].filter((part) => part !== null)
        return (
          <li key={option.move} className="move-option">
            <BlockableButton
              id={id}
              className={option.move === 'advance' ? 'move-button move-button-advance' : 'move-button'}
              blocked={!option.available}
              aria-pressed={chosen === option.move}
              aria-describedby={described.length === 0 ? undefined : described.join(' ')}
              onClick={() => onChoose(option)}
              data-testid={`move-${option.move}`}
            >
              {moveLabel(option)}
            </BlockableButton>
            {option.rule !== null && (
              <p className="move-rule" id={`${id}-rule`} data-testid={`rule-${option.move}`}>
                Gate: {option.rule}
              </p>
            )}
            {option.unmet.length > 0 && (
              <div className="move-unmet" id={`${id}-unmet`} data-testid={`unmet-${option.move}`}>
                <span className="move-unmet-title">Blocked:</span>
                <ul>
                  {option.unmet.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              </div>
            )}
          </li>
        )
      })}
    </ul>
  )
}
