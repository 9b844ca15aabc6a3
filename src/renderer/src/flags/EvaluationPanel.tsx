import { useId, useState, type FormEvent } from 'react'
import type { EvaluationReason } from '@shared/flag-state'
import type { FlagEvaluationView, FlagView } from '@shared/views'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { useAction } from '@renderer/contract/useAction'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

// Words for the reasons main returns; the decision itself is main's (core/flag-evaluation.ts).
const REASON_TEXT: Record<EvaluationReason, string> = {
  disabled: 'the flag is off for everyone',
  blacklisted: 'the user is on the blacklist',
  whitelisted: 'the user is on the whitelist',
  before_start: 'the start date has not come yet',
  after_end: 'the end date has passed',
  in_rollout: "the user's bucket is within the rollout percentage",
  outside_rollout: "the user's bucket is above the rollout percentage"
}

// Without a user there is no bucket: main's rule then is "on only at 100 %".
const NO_USER_TEXT: Partial<Record<EvaluationReason, string>> = {
  in_rollout: 'without a user id the feature is on only at 100 %, and this flag is at 100 %',
  outside_rollout:
    'without a user id the feature is on only at 100 % (whitelisted users are recognised only by their id)'
}

interface EvaluationPanelProps {
  flags: FlagView[]
  /** The flag to start from: the one on screen. */
  initialFlag: string | null
  /** The operator chose another flag: it becomes the one on screen. */
  onFlagChosen: (flag: string) => void
}

/** Asks main what one user gets from one flag right now, and why. */
export function EvaluationPanel({ flags, initialFlag, onFlagChosen }: EvaluationPanelProps) {
  const evaluate = useAction('flags.evaluate')
  const [chosen, setChosen] = useState(initialFlag ?? '')
  const [user, setUser] = useState('')
  const flagFieldId = useId()
  const userFieldId = useId()
  const selected = flags.find((view) => view.flag === chosen) ?? flags[0]

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (selected === undefined || evaluate.pending) return
    // Pasted ids carry spaces; the CLI is given them without, and the bucket depends on every character.
    const userId = user.trim()
    setUser(userId)
    void evaluate.run({ environment: selected.environment, flag: selected.flag, user: userId })
  }

  const result = evaluate.result
  return (
    <section className="evaluation" aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">Evaluate for a user</h2>
      <form className="evaluation-form" onSubmit={submit}>
        <label htmlFor={flagFieldId}>Flag</label>
        <select
          id={flagFieldId}
          value={selected?.flag ?? ''}
          onChange={(event) => {
            setChosen(event.target.value)
            onFlagChosen(event.target.value)
          }}
        >
          {flags.map((view) => (
            <option key={`${view.environment}/${view.flag}`} value={view.flag}>
              {view.flag}
            </option>
          ))}
        </select>
        <label htmlFor={userFieldId}>User id</label>
        <input
          id={userFieldId}
          value={user}
          onChange={(event) => setUser(event.target.value)}
          placeholder="e.g. admin@example.com"
          autoComplete="off"
          spellCheck={false}
          data-testid="evaluation-user"
        />
        <BlockableButton type="submit" blocked={evaluate.pending || selected === undefined}>
          Evaluate
        </BlockableButton>
      </form>
      <div aria-live="polite">
        {result?.ok === false && <ErrorNotice error={result.error} context="Evaluation failed" />}
        {result?.ok === true && <EvaluationResult evaluation={result.value} />}
      </div>
    </section>
  )
}

function EvaluationResult({ evaluation }: { evaluation: FlagEvaluationView }) {
  const reasonText =
    evaluation.user === null
      ? (NO_USER_TEXT[evaluation.reason] ?? REASON_TEXT[evaluation.reason])
      : REASON_TEXT[evaluation.reason]
  return (
    <dl className="evaluation-result" data-testid="evaluation-result">
      <dt>User</dt>
      <dd data-testid="evaluation-for">{evaluation.user ?? '(no user id)'}</dd>
      <dt>Gets the feature</dt>
      <dd className={evaluation.enabled ? 'evaluation-on' : 'evaluation-off'} data-testid="evaluation-enabled">
        {evaluation.enabled ? 'ON' : 'OFF'}
      </dd>
      <dt>Reason</dt>
      <dd>
        <code data-testid="evaluation-reason">{evaluation.reason}</code>{' '}
        <span className="evaluation-reason-text" data-testid="evaluation-reason-text">
          {reasonText}
        </span>
      </dd>
      {evaluation.user !== null && (
        <>
          <dt>Bucket</dt>
          <dd data-testid="evaluation-bucket">{evaluation.bucket ?? '—'}</dd>
        </>
      )}
    </dl>
  )
}
