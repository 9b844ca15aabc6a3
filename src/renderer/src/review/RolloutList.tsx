import type { RolloutSummaryView } from '@shared/review-types'
import { durationMsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'
import { countsText, highestPhaseText, OUTCOME_TEXT } from './review-text'

interface RolloutListProps {
  rollouts: readonly RolloutSummaryView[]
  onOpen: (id: number) => void
}

/** The id of a rollout's Open button: the focus goes back to it when its review is closed. */
export function openButtonId(id: number): string {
  return `review-open-${id}`
}

/** Rollouts newest first: what was rolled out where, how far, how it ended and who moved it. */
export function RolloutList({ rollouts, onOpen }: RolloutListProps) {
  return (
    <div className="table-scroll" role="region" aria-label="Rollouts" tabIndex={0}>
      <table className="review-table" data-testid="review-list">
        <thead>
          <tr>
            <th scope="col">Rollout</th>
            <th scope="col">Flag</th>
            <th scope="col">Environment</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
            <th scope="col">Highest phase</th>
            <th scope="col">Outcome</th>
            <th scope="col">Who</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {rollouts.map((rollout) => (
            <tr
              key={rollout.id}
              className="review-row"
              data-testid="review-row"
              data-rollout={rollout.id}
              data-outcome={rollout.outcome}
            >
              <td>
                <button
                  type="button"
                  id={openButtonId(rollout.id)}
                  className="review-open"
                  onClick={() => onOpen(rollout.id)}
                  aria-label={`Open #${rollout.id}: ${rollout.flag} in ${rollout.environment}`}
                >
                  Open #{rollout.id}
                </button>
              </td>
              <td className="review-flag">{rollout.flag}</td>
              <td>{rollout.environment}</td>
              <td title={rollout.startedAt}>{instantText(rollout.startedAt)}</td>
              <td title={rollout.endedAt ?? undefined}>
                {rollout.endedAt === null ? '—' : instantText(rollout.endedAt)}
              </td>
              <td className="review-figure">{highestPhaseText(rollout)}</td>
              <td>
                <span className={`review-outcome review-outcome-${rollout.outcome}`}>
                  {OUTCOME_TEXT[rollout.outcome]}
                </span>
                {rollout.timeToSafeMs !== null && (
                  <span className="review-outcome-note">safe in {durationMsText(rollout.timeToSafeMs)}</span>
                )}
              </td>
              <td>{rollout.actors.join(', ')}</td>
              <td className="review-figure">{countsText(rollout)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
