import type { GuardStatusView } from '@shared/views'
import { secondsText } from '@renderer/format/duration-text'
import { instantText } from '@renderer/format/instant-text'

const VERDICT_TEXT: Record<GuardStatusView['verdict'], string> = {
  pass: 'PASS',
  hold: 'HOLD',
  trip: 'TRIP',
  none: 'NO DATA'
}

interface GuardSummaryProps {
  guard: GuardStatusView
  phaseEnteredAt: string | null
  minSoakSeconds: number
}

/** The guards' verdict on the current phase, and the times the next move depends on. */
export function GuardSummary({ guard, phaseEnteredAt, minSoakSeconds }: GuardSummaryProps) {
  return (
    <dl className="guard-summary">
      <dt>Guards</dt>
      <dd className={`guard-verdict guard-verdict-${guard.verdict}`} data-testid="guard-verdict">
        {VERDICT_TEXT[guard.verdict]}
        {guard.tripped && guard.verdict !== 'trip' ? ' (tripped)' : ''}
      </dd>
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
