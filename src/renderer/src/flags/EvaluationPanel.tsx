import { useId, useState, type FormEvent } from 'react'
import type { EvaluationReason } from '@shared/flag-state'
import type { FlagView } from '@shared/views'
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

/** Asks main what one user gets from one flag right now, and why. */
export function EvaluationPanel({ flags }: { flags: FlagView[] }) {
  const evaluate = useAction('flags.evaluate')
  const [chosen, setChosen] = useState('')
  const [user, setUser] = useState('')
  const flagFieldId = useId()
  const userFieldId = useId()
  const selected = flags.find((view) => view.flag === chosen) ?? flags[0]

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (selected === undefined) return
    void evaluate.run({ environment: selected.environment, flag: selected.flag, user })
  }

  const result = evaluate.result
  return (
    <section className="evaluation" aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">Evaluate for a user</h2>
      <form className="evaluation-form" onSubmit={submit}>
        <label htmlFor={flagFieldId}>Flag</label>
        <select id={flagFieldId} value={selected?.flag ?? ''} onChange={(event) => setChosen(event.target.value)}>
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
        <button type="submit" disabled={evaluate.pending || selected === undefined}>
          Evaluate
        </button>
      </form>
      <div aria-live="polite">
        {result?.ok === false && <ErrorNotice error={result.error} context="Evaluation failed" />}
        {result?.ok === true && (
          <dl className="evaluation-result" data-testid="evaluation-result">
            <dt>User</dt>
            <dd data-testid="evaluation-for">{result.value.user ?? '(no user id)'}</dd>
            <dt>Gets the feature</dt>
            <dd className={result.value.enabled ? 'evaluation-on' : 'evaluation-off'} data-testid="evaluation-enabled">
              {result.value.enabled ? 'ON' : 'OFF'}
            </dd>
            <dt>Reason</dt>
            <dd>
              <code data-testid="evaluation-reason">{result.value.reason}</code>{' '}
              <span className="evaluation-reason-text">{REASON_TEXT[result.value.reason]}</span>
            </dd>
            <dt>Bucket</dt>
            <dd data-testid="evaluation-bucket">{result.value.bucket ?? 'none (no user id)'}</dd>
          </dl>
        )}
      </div>
    </section>
  )
}
