import { useId } from 'react'
import type { RolloutOutcome } from '@shared/review-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ANY_ROLLOUT, isFiltered, type ReviewFilterFields } from './review-filter'
import { OUTCOME_CHOICES } from './review-text'

interface ReviewFiltersProps {
  fields: ReviewFilterFields
  choices: { flags: string[]; environments: string[] }
  onChange: (fields: ReviewFilterFields) => void
}

/** The list narrows as the reviewer types or picks: flag, environment, time, outcome and free text. */
export function ReviewFilters({ fields, choices, onChange }: ReviewFiltersProps) {
  const ids = { flag: useId(), environment: useId(), from: useId(), to: useId(), outcome: useId(), search: useId() }
  const set = (patch: Partial<ReviewFilterFields>) => onChange({ ...fields, ...patch })

  return (
    <form className="review-filters" aria-label="Filter rollouts" onSubmit={(event) => event.preventDefault()}>
      <div className="review-field review-field-search">
        <label htmlFor={ids.search}>Search</label>
        <input
          id={ids.search}
          type="search"
          value={fields.search}
          onChange={(event) => set({ search: event.target.value })}
          placeholder="flag, environment, actor or reason"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          data-testid="review-search"
        />
      </div>
      <div className="review-field">
        <label htmlFor={ids.flag}>Flag</label>
        <select
          id={ids.flag}
          value={fields.flag}
          onChange={(event) => set({ flag: event.target.value })}
          data-testid="review-flag"
        >
          <option value="">Any flag</option>
          {choices.flags.map((flag) => (
            <option key={flag} value={flag}>
              {flag}
            </option>
          ))}
        </select>
      </div>
      <div className="review-field">
        <label htmlFor={ids.environment}>Environment</label>
        <select
          id={ids.environment}
          value={fields.environment}
          onChange={(event) => set({ environment: event.target.value })}
          data-testid="review-environment"
        >
          <option value="">Any environment</option>
          {choices.environments.map((environment) => (
            <option key={environment} value={environment}>
              {environment}
            </option>
          ))}
        </select>
      </div>
      <div className="review-field">
        <label htmlFor={ids.outcome}>Outcome</label>
        <select
          id={ids.outcome}
          value={fields.outcome}
          onChange={(event) => set({ outcome: event.target.value as RolloutOutcome | '' })}
          data-testid="review-outcome"
        >
          <option value="">Any outcome</option>
          {OUTCOME_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <div className="review-field">
        <label htmlFor={ids.from}>Active from (local time)</label>
        <input
          id={ids.from}
          type="datetime-local"
          value={fields.from}
          onChange={(event) => set({ from: event.target.value })}
          data-testid="review-from"
        />
      </div>
      <div className="review-field">
        <label htmlFor={ids.to}>Started by (local time)</label>
        <input
          id={ids.to}
          type="datetime-local"
          value={fields.to}
          onChange={(event) => set({ to: event.target.value })}
          data-testid="review-to"
        />
      </div>
      <BlockableButton className="review-clear" blocked={!isFiltered(fields)} onClick={() => onChange(ANY_ROLLOUT)}>
        Clear the filters
      </BlockableButton>
    </form>
  )
}
