import type { GuardWindowRow } from './guard-window-row'
import { clockTimeText } from './clock-time-text'
import { cohortCells, DecisionReasons, GuardWindowHead } from './window-cells'

const ROWS_SHOWN = 10

interface GuardWindowTableProps {
  /** Whose windows, for the scrolling region's name. */
  subject: string
  windows: readonly GuardWindowRow[]
  /** When the current phase began; null when unknown (a state set outside Rampart). */
  phaseEnteredAt: string | null
}

/**
 * The latest decided windows, newest first: each cohort's figures and main's decision, its reasons
 * on hover or opened. A window that started before the current phase is marked: main's verdict on
 * the phase does not count it. The table scrolls sideways on its own on a narrow screen, and can
 * be scrolled from the keyboard.
 */
export function GuardWindowTable({ subject, windows, phaseEnteredAt }: GuardWindowTableProps) {
  const shown = windows.slice(-ROWS_SHOWN).reverse()
  const phaseStartMs = phaseEnteredAt === null ? null : Date.parse(phaseEnteredAt)
  return (
    <div className="table-scroll" role="region" aria-label={`Recent guard windows of ${subject}`} tabIndex={0}>
      <table className="guard-windows" data-testid="guard-window-table">
        <GuardWindowHead />
        <tbody>
          {shown.map((window) => {
            const earlier = phaseStartMs !== null && Date.parse(window.windowStart) < phaseStartMs
            return (
              <tr
                key={window.id}
                className={`guard-window guard-window-${window.decision}${earlier ? ' guard-window-earlier' : ''}`}
                data-testid="guard-window-row"
                data-decision={window.decision}
                data-earlier-phase={earlier}
              >
                <td title={window.windowStart}>
                  {clockTimeText(window.windowStart)}
                  {earlier && <span className="guard-window-phase-note">before this phase</span>}
                </td>
                {cohortCells('treatment', window.treatment)}
                {cohortCells('control', window.control)}
                <td className="guard-window-decision" title={window.reasons.join('\n')}>
                  <DecisionReasons decision={window.decision} reasons={window.reasons} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
