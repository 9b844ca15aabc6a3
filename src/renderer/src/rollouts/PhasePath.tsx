import { ROLLOUT_PHASES } from '@shared/rollout-types'
import type { RolloutPositionView } from '@shared/views'

/**
 * Where the rollout stands, large: the current phase on the path 0 → 10 → 25 → 50 → 100, or a
 * value off the path (set by hand) shown as drift between the phases around it.
 */
export function PhasePath({ position, enabled }: { position: RolloutPositionView; enabled: boolean }) {
  const now = position.kind === 'phase' ? position.phase : position.percentage
  return (
    <div className="phase">
      <div className={position.kind === 'drift' ? 'phase-now phase-now-drift' : 'phase-now'} data-testid="phase-now">
        {position.kind === 'phase' ? `${position.phase} %` : `${position.percentage} % — off the path`}
      </div>
      {!enabled && (
        <div className="phase-flag-off" data-testid="phase-flag-off">
          Flag is OFF: the percentage applies only once it is enabled again
        </div>
      )}
      <ol className="phase-path" aria-label="Rollout path" data-testid="phase-path">
        {ROLLOUT_PHASES.flatMap((phase) => {
          const current = position.kind === 'phase' && position.phase === phase
          const step = (
            <li
              key={phase}
              className={
                current ? 'phase-step phase-step-current' : phase < now ? 'phase-step phase-step-passed' : 'phase-step'
              }
              aria-current={current ? 'step' : undefined}
            >
              {phase} %
            </li>
          )
          if (position.kind !== 'drift' || position.phaseBelow !== phase) return [step]
          return [
            step,
            <li key="drift" className="phase-step phase-step-drift" aria-current="step">
              {now} % drift
            </li>
          ]
        })}
      </ol>
      {position.kind === 'drift' && (
        <p className="phase-drift-note">
          {position.percentage} % is not a phase. From here: step back to {position.phaseBelow} %, roll back, or use the
          emergency rollback.
        </p>
      )}
    </div>
  )
}
