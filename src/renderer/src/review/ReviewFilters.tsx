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
  const ids = { from: useId(), to: useId(), search: useId() }
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
      <ChoiceField
        label="Flag"
        anyText="Any flag"
        value={fields.flag}
        choices={choices.flags.map((flag) => ({ value: flag, label: flag }))}
        onChange={(flag) => set({ flag })}
        testId="review-flag"
      />
      <ChoiceField
        label="Environment"
        anyText="Any environment"
        value={fields.environment}
        choices={choices.environments.map((environment) => ({ value: environment, label: environment }))}
        onChange={(environment) => set({ environment })}
        testId="review-environment"
      />
      <ChoiceField
        label="Outcome"
        anyText="Any outcome"
        value={fields.outcome}
        choices={OUTCOME_CHOICES}
        onChange={(outcome) => set({ outcome: outcome as RolloutOutcome | '' })}
        testId="review-outcome"
      />
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

interface ChoiceFieldProps {
  label: string
  /** The first choice, an empty value: no narrowing by this field. */
  anyText: string
  value: string
  choices: readonly { value: string; label: string }[]
  onChange: (value: string) => void
  testId: string
}

/** A labelled select whose first option lets everything through. */
function ChoiceField({ label, anyText, value, choices, onChange, testId }: ChoiceFieldProps) {
  const id = useId()
  return (
    <div className="review-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} data-testid={testId}>
        <option value="">{anyText}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  )
}
