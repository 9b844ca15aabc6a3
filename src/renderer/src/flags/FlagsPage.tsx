import type { InvokeState } from '@renderer/contract/useInvoke'
import type { FlagView } from '@shared/views'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { EvaluationPanel } from './EvaluationPanel'
import { FlagCard } from './FlagCard'

/** The default environment's flags as their sources hold them, and a way to evaluate one. */
export function FlagsPage({ flags }: { flags: InvokeState<FlagView[]> }) {
  const views = flags.value
  return (
    <div className="flags-page">
      <div className="page-title-row">
        <h1>Flags</h1>
        <button type="button" onClick={flags.reload} disabled={flags.loading}>
          {flags.loading ? 'Reading…' : 'Read again'}
        </button>
      </div>
      {flags.error !== null && <ErrorNotice error={flags.error} context="Could not list the flags" />}
      {views === null && flags.error === null && <p className="muted">Reading the flags…</p>}
      {views !== null && views.length === 0 && <p className="muted">This environment lists no flags.</p>}
      {views !== null && views.length > 0 && (
        <>
          <div className="flag-list">
            {views.map((view) => (
              <FlagCard key={`${view.environment}/${view.flag}`} view={view} />
            ))}
          </div>
          <EvaluationPanel flags={views} />
        </>
      )}
    </div>
  )
}
