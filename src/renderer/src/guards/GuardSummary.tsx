import type { GuardStatusView } from '@shared/views'
import { secondsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'
import type { GuardWindowRow } from './guard-window-row'
import { clockTimeText } from './clock-time-text'

const VERDICT_TEXT: Record<GuardStatusView['verdict'], string> = {
  pass: 'PASS',
  hold: 'HOLD',
  trip: 'TRIP',
  none: 'NO VERDICT YET'
}

interface GuardSummaryProps {
  guard: GuardStatusView
  phaseEnteredAt: string | null
  minSoakSeconds: number
  /** The windows shown below it: the summary says why they do not count when main has no verdict. */
  windowsShown: readonly GuardWindowRow[]
}

/**
 * The guards' verdict on the current phase, and the times the next move depends on. Main judges
 * a phase only by its own windows; when it has none yet while older windows are on screen, the
 * summary says so instead of contradicting them.
 */
export function GuardSummary({ guard, phaseEnteredAt, minSoakSeconds, windowsShown }: GuardSummaryProps) {
  return (
    <dl className="guard-summary">
      <dt>Guards</dt>
      <dd className={`guard-verdict guard-verdict-${guard.verdict}`} data-testid="guard-verdict">
        {VERDICT_TEXT[guard.verdict]}
        {guard.tripped && guard.verdict !== 'trip' ? ' (tripped)' : ''}
      </dd>
      {guard.verdict === 'none' && (
        <dd className="guard-verdict-note" data-testid="guard-verdict-note">
          {noVerdictText(phaseEnteredAt, windowsShown.length)}
        </dd>
      )}
      <dt>Last window</dt>
      <dd title={guard.lastWindowAt ?? undefined}>
        {guard.lastWindowAt === null ? 'none recorded' : instantText(guard.lastWindowAt)}
      </dd>
      <dt>Passing since</dt>
      <dd title={guard.passSince ?? undefined}>{guard.passSince === null ? '—' : instantText(guard.passSince)}</dd>
      <dt>Phase entered</dt>
      <dd title={phaseEnteredAt ?? undefined} data-testid="phase-entered-at">
        {phaseEnteredAt === null ? 'unknown: the state changed outside Rampart' : instantText(phaseEnteredAt)}
      </dd>
      <dt>Minimum soak</dt>
      <dd>{secondsText(minSoakSeconds)}</dd>
    </dl>
  )
}

function noVerdictText(phaseEnteredAt: string | null, shown: number): string {
  if (phaseEnteredAt === null) {
    return 'This state was set outside Rampart: its windows count once a move puts it on record (adopt or step back).'
  }
  const since = clockTimeText(phaseEnteredAt)
  if (shown === 0) return `No window of this phase decided yet; windows count from ${since}.`
  return (
    `No window of this phase decided yet: windows count from ${since}, when it began. ` +
    'The windows below marked “before this phase” do not count for it.'
  )
}
