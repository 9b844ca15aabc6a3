import { useId } from 'react'

interface TypedConfirmationProps {
  /** What must be typed: a database or container name. */
  expected: string
  /** What typing it confirms, e.g. "to roll back the database". */
  purpose: string
  value: string
  onChange: (value: string) => void
  testId: string
  /** Focused when it appears (an inline form the operator just opened). */
  autoFocus?: boolean
}

/**
 * The name typed out before a destructive action, as main asks for it: main compares it and
 * refuses a mismatch (the refusal is shown beside the action); the console does not guess.
 */
export function TypedConfirmation({ expected, purpose, value, onChange, testId, autoFocus }: TypedConfirmationProps) {
  const id = useId()
  return (
    <div className="typed-confirmation">
      <label htmlFor={id}>
        Type <code>{expected}</code> {purpose}
      </label>
      <input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={expected}
        maxLength={300}
        autoComplete="off"
        spellCheck={false}
        aria-required="true"
        autoFocus={autoFocus}
        data-testid={testId}
      />
    </div>
  )
}
