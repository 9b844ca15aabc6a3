import { useState } from 'react'
import type { ContractError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { MoveOption } from '@shared/views'
import { useAction } from '@renderer/contract/useAction'
import { useInvoke } from '@renderer/contract/useInvoke'
import { useLiveGuards } from '@renderer/guards/useLiveGuards'
import { unappliedMoveEvent } from './unapplied-move'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { GuardActionBanner } from '@renderer/guards/GuardActionBanner'
import { GuardSummary } from '@renderer/guards/GuardSummary'
import { GuardWatchIndicator } from '@renderer/guards/GuardWatchIndicator'
import { LiveGuardWindows } from '@renderer/guards/LiveGuardWindows'
import { MoveForm, type MoveRequestFields } from './MoveForm'
import { MoveOptions } from './MoveOptions'
import { MoveOutcome, type MoveOutcomeValue } from './MoveOutcome'
import { PhasePath } from './PhasePath'

interface RolloutPanelProps {
  environment: string
  flag: string
  historyTick: number
}

/** The move being confirmed, with the state the operator saw when choosing it. */
interface Choice {
  option: MoveOption
  expected: FlagState
}

/**
 * One flag's rollout: where it stands, what the guards say, and the moves main offers. A move
 * carries the state shown when it was chosen, so a change made meanwhile is refused by main.
 * While the panel is open, the flag's guards are watched live from here: main judges each window
 * and takes the environment's action on a trip; the panel shows both and reads the status again.
 */
export function RolloutPanel({ environment, flag, historyTick }: RolloutPanelProps) {
  const status = useInvoke('rollout.status', { environment, flag }, { refreshKey: historyTick })
  const move = useAction('rollout.move')
  const [choice, setChoice] = useState<Choice | null>(null)
  const [refusal, setRefusal] = useState<ContractError | null>(null)
  const [outcome, setOutcome] = useState<MoveOutcomeValue | null>(null)
  const view = status.value
  const guards = useLiveGuards(environment, flag, view?.state.rollout_percentage ?? null, status.reload)

  const choose = (option: MoveOption) => {
    if (view === null) return
    setChoice({ option, expected: view.state })
    setRefusal(null)
    setOutcome(null)
  }

  const submit = async (fields: MoveRequestFields) => {
    if (choice === null) return
    const answer = await move.run({ environment, flag, move: choice.option.move, expected: choice.expected, ...fields })
    const unapplied = answer.ok ? null : unappliedMoveEvent(answer.error)
    if (answer.ok) {
      setChoice(null)
      setOutcome({ kind: 'applied', result: answer.value })
    } else if (unapplied !== null) {
      setChoice(null)
      setOutcome({ kind: 'unapplied', eventSeq: unapplied, error: answer.error })
    } else if (answer.error.code === 'conflict') {
      setChoice(null)
      setOutcome({ kind: 'conflict', error: answer.error })
    } else {
      setRefusal(answer.error)
      return
    }
    status.reload()
  }

  return (
    <section className="rollout-panel" aria-labelledby={`rollout-${flag}`} data-testid={`rollout-panel-${flag}`}>
      <header className="rollout-panel-header">
        <h2 id={`rollout-${flag}`}>{flag}</h2>
        <span className="flag-environment">{environment}</span>
        {view?.protected === true && <span className="badge badge-protected">protected</span>}
        <button type="button" onClick={status.reload} disabled={status.loading}>
          {status.loading ? 'Reading…' : 'Read again'}
        </button>
      </header>
      <GuardWatchIndicator link={guards.link} />
      {guards.actions.map((action) => (
        <GuardActionBanner
          key={action.notice.tripEventSeq}
          action={action}
          onDismiss={() => guards.dismiss(action.notice.tripEventSeq)}
        />
      ))}
      {status.error !== null && <ErrorNotice error={status.error} context="Could not read the rollout" />}
      {view === null && status.error === null && <p className="muted">Reading the rollout…</p>}
      {view !== null && (
        <>
          <div className="rollout-overview">
            <PhasePath position={view.position} enabled={view.state.enabled} />
            <GuardSummary
              guard={view.guard}
              phaseEnteredAt={view.phaseEnteredAt}
              minSoakSeconds={view.minSoakSeconds}
            />
          </div>
          <MoveOptions options={view.options} chosen={choice?.option.move ?? null} onChoose={choose} />
          {choice !== null && (
            <MoveForm
              key={choice.option.move}
              flag={flag}
              option={choice.option}
              fromPercentage={choice.expected.rollout_percentage}
              pending={move.pending}
              refusal={refusal}
              onSubmit={(fields) => void submit(fields)}
              onCancel={() => setChoice(null)}
            />
          )}
        </>
      )}
      {outcome !== null && <MoveOutcome outcome={outcome} />}
      <LiveGuardWindows windows={guards.windows} live={guards.link.kind === 'live'} />
    </section>
  )
}
