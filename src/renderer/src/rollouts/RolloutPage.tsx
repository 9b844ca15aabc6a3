import type { FlagView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { RolloutPanel } from './RolloutPanel'
import type { InvokeState } from '@renderer/contract/useInvoke'

/** A rollout panel per flag of the default environment. */
export function RolloutPage({ flags, historyTick }: { flags: InvokeState<FlagView[]>; historyTick: number }) {
  const views = flags.value
  return (
    <div className="rollout-page">
      <h1>Rollout</h1>
      <p className="muted">
        The path is 0 → 10 → 25 → 50 → 100 %. Advance goes to the next phase only, once the guards pass.
      </p>
      {flags.error !== null && <ErrorNotice error={flags.error} context="Could not list the flags" />}
      {views === null && flags.error === null && <p className="muted">Reading the flags…</p>}
      {views !== null && views.length === 0 && <p className="muted">This environment lists no flags.</p>}
      {views?.map((view) => (
        <RolloutPanel
          key={`${view.environment}/${view.flag}`}
          environment={view.environment}
          flag={view.flag}
          historyTick={historyTick}
        />
      ))}
    </div>
  )
}
