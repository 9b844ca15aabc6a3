import type { FormEvent, KeyboardEvent, ReactNode } from 'react'

interface ConfirmStepProps {
  /** What is about to happen, in one sentence. */
  question: string
  confirmLabel: string
  onConfirm: () => void
  onCancel: () => void
  testId: string
  children?: ReactNode
}

/**
 * The explicit second step of an action that changes the database, inline (no dialog): the
 * question, any field main needs, the action named again, and Cancel. Escape cancels.
 */
export function ConfirmStep({ question, confirmLabel, onConfirm, onCancel, testId, children }: ConfirmStepProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onConfirm()
  }
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onCancel()
  }
  return (
    <form
      className="db-confirm"
      onSubmit={submit}
      onKeyDown={cancelOnEscape}
      aria-label={confirmLabel}
      data-testid={testId}
    >
      <p className="db-confirm-question">{question}</p>
      {children}
      <div className="db-buttons">
        <button type="submit" className="db-danger" autoFocus data-testid={`${testId}-submit`}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
