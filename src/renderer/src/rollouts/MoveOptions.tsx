import type { RolloutMove } from '@shared/rollout-types'
import type { MoveOption } from '@shared/views'
import { moveLabel } from './move-text'

interface MoveOptionsProps {
  options: MoveOption[]
  chosen: RolloutMove | null
  onChoose: (option: MoveOption) => void
}

/**
 * The moves main offers from here, each with what still blocks it. Kill is left to the
 * emergency action in the header: one red action only.
 */
export function MoveOptions({ options, chosen, onChoose }: MoveOptionsProps) {
  const shown = options.filter((option) => option.move !== 'kill')
  if (shown.length === 0) return <p className="muted">No move is offered from this state.</p>
  return (
    <ul className="move-options" aria-label="Moves">
      {shown.map((option) => (
        <li key={option.move} className="move-option">
          <button
            type="button"
            className={option.move === 'advance' ? 'move-button move-button-advance' : 'move-button'}
            disabled={!option.available}
            aria-pressed={chosen === option.move}
            onClick={() => onChoose(option)}
            data-testid={`move-${option.move}`}
          >
            {moveLabel(option)}
          </button>
          {option.unmet.length > 0 && (
            <div className="move-unmet" data-testid={`unmet-${option.move}`}>
              <span className="move-unmet-title">Blocked:</span>
              <ul>
                {option.unmet.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </div>
          )}
        </li>
      ))}
    </ul>
  )
}
