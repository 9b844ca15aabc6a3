import { useId, useState } from 'react'
import type { ContractError } from '@shared/errors'
import type { FlagState } from '@shared/flag-state'
import type { MoveOption, RolloutStatusView } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useAction } from '@renderer/contract/useAction'
import { useFocusAfterRender } from '@renderer/contract/useFocusAfterRender'
import { useInvoke } from '@renderer/contract/useInvoke'
import type { FlagSupervision, GuardActionView } from '@renderer/guards/supervision-state'
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
  /** Main's supervision of this flag: its watch, the windows decided and the automatic actions. */
  supervision: FlagSupervision
  /** Whether the console follows main's supervision now. */
  following: boolean
  onDismissAction: (tripEventSeq: number) => void
}

/** The move being confirmed, with the state the operator saw when choosing it. */
interface Choice {
  option: MoveOption
  expected: FlagState
}

/**
 * One flag's rollout: where it stands, what the guards say, and the moves main offers. A move
 * carries the state shown when it was chosen, so a change made meanwhile is refused by main.
 * Main supervises the guards whatever page is open; the panel shows that watch, the windows main
 * decides and the actions it takes, and reads the status again after each of them.
 */
export function RolloutPanel(props: RolloutPanelProps) {
  const { environment, flag, historyTick, supervision, following, onDismissAction } = props
  const status = useInvoke(
    'rollout.status',
    { environment, flag },
    { refreshKey: `${historyTick}/${supervision.changes}` }
  )
  const move = useAction('rollout.move')
  const [choice, setChoice] = useState<Choice | null>(null)
  const [refusal, setRefusal] = useState<ContractError | null>(null)
  const [outcome, setOutcome] = useState<MoveOutcomeValue | null>(null)
  const focusAfterRender = useFocusAfterRender()
  const ids = { panel: useId(), heading: useId(), outcome: useId() }
  const view = status.value

  const choose = (option: MoveOption) => {
    if (view === null) return
    setChoice({ option, expected: view.state })
    setRefusal(null)
    setOutcome(null)
  }

  const cancel = () => {
    const chosen = choice?.option.move
    setChoice(null)
    // Back to the move that opened the form.
    if (chosen !== undefined) focusAfterRender(`${ids.panel}-${chosen}`)
  }

  const submit = async (fields: MoveRequestFields) => {
    if (choice === null) return
    const answer = await move.run({ environment, flag, move: choice.option.move, expected: choice.expected, ...fields })
    const unapplied = answer.ok ? null : unappliedMoveEvent(answer.error)
    if (answer.ok) {
      setOutcome({ kind: 'applied', result: answer.value })
    } else if (unapplied !== null) {
      setOutcome({ kind: 'unapplied', eventSeq: unapplied, error: answer.error })
    } else if (answer.error.code === 'conflict') {
      setOutcome({ kind: 'conflict', error: answer.error })
    } else {
      // The form stays open with main's refusal; the focus stays where the operator typed.
      setRefusal(answer.error)
      return
    }
    setChoice(null)
    focusAfterRender(ids.outcome)
    status.reload()
  }

  return (
    <section
      className="rollout-panel"
      aria-labelledby={ids.heading}
      data-testid={`rollout-panel-${flag}`}
      data-flag={flag}
    >
      <header className="rollout-panel-header">
        <h2 id={ids.heading} tabIndex={-1}>
          {flag} <span className="flag-environment">in {environment}</span>
        </h2>
        {view?.protected === true && <span className="badge badge-protected">protected</span>}
        <BlockableButton onClick={status.reload} blocked={status.loading}>
          {status.loading ? 'Reading…' : 'Read again'}
        </BlockableButton>
      </header>
      <GuardWatchIndicator watch={supervision.watch} following={following} />
      {supervision.actions.map((action) => (
        <GuardActionBanner
          key={action.notice.tripEventSeq}
          action={action}
          percentage={trippedAt(action, view)}
          onDismiss={() => {
            onDismissAction(action.notice.tripEventSeq)
            focusAfterRender(ids.heading)
          }}
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
              windowsShown={supervision.windows}
            />
          </div>
          <MoveOptions
            idPrefix={ids.panel}
            options={view.options}
            chosen={choice?.option.move ?? null}
            onChoose={choose}
          />
          {choice !== null && (
            <MoveForm
              key={choice.option.move}
              environment={environment}
              flag={flag}
              option={choice.option}
              fromPercentage={choice.expected.rollout_percentage}
              pending={move.pending}
              refusal={refusal}
              onSubmit={(fields) => void submit(fields)}
              onCancel={cancel}
            />
          )}
        </>
      )}
      <div id={ids.outcome} tabIndex={-1} className="move-outcome-region">
        {outcome !== null && <MoveOutcome outcome={outcome} />}
      </div>
      <LiveGuardWindows
        subject={`${flag} in ${environment}`}
        windows={supervision.windows}
        live={supervision.watch?.state === 'watching'}
        phaseEnteredAt={view?.phaseEnteredAt ?? null}
      />
    </section>
  )
}

/**
 * Where the flag stood when it tripped: the `from` of the move main recorded for it, or, when
 * nothing was moved (an alert, nothing to do, a failed move), where it stands now. Null until the
 * recorded move is read.
 */
function trippedAt(action: GuardActionView, view: RolloutStatusView | null): number | null {
  if (view === null) return null
  const { eventSeq } = action.notice
  if (eventSeq === null) return view.state.rollout_percentage
  const from = view.recentEvents.find((event) => event.seq === eventSeq)?.fromState
  if (typeof from !== 'object' || from === null || Array.isArray(from)) return null
  return typeof from.rollout_percentage === 'number' ? from.rollout_percentage : null
}
