import type { InvokeState } from '@renderer/contract/useInvoke'
import type { FlagView } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { EvaluationPanel } from './EvaluationPanel'
import { FlagCard } from './FlagCard'

interface FlagsPageProps {
  environment: string | null
  flags: InvokeState<FlagView[]>
  /** The flag on screen, which the evaluation starts from. */
  flagOnScreen: string | null
  onFlagChosen: (flag: string) => void
}

/** The chosen environment's flags as their sources hold them, and a way to evaluate one. */
export function FlagsPage({ environment, flags, flagOnScreen, onFlagChosen }: FlagsPageProps) {
  const views = flags.value
  return (
    <div className="flags-page">
      <div className="page-title-row">
        <h1>Flags{environment === null ? '' : ` in ${environment}`}</h1>
        <BlockableButton onClick={flags.reload} blocked={flags.loading}>
          {flags.loading ? 'Reading…' : 'Read again'}
        </BlockableButton>
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
          <EvaluationPanel
            key={environment ?? ''}
            flags={views}
            initialFlag={flagOnScreen}
            onFlagChosen={onFlagChosen}
          />
        </>
      )}
    </div>
  )
}
