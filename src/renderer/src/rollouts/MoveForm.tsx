import { useId, useState, type FormEvent, type KeyboardEvent } from 'react'
import type { ContractError } from '@shared/errors'
import type { MoveOption } from '@shared/views'
import { moveLabel } from './move-text'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'

export interface MoveRequestFields {
  reason: string
  /** Sent only for a move that asks for the flag name (reaching 100 %). */
  confirmation?: string
}

interface MoveFormProps {
  environment: string
  flag: string
  option: MoveOption
  /** The percentage the operator saw when choosing the move. */
  fromPercentage: number
  pending: boolean
  /** Main's refusal of the last attempt (the form stays open so it can be fixed). */
  refusal: ContractError | null
  onSubmit: (fields: MoveRequestFields) => void
  onCancel: () => void
}

/**
 * The inline confirmation of one move: the reason (recorded, required by main) and, to reach
 * 100 %, the flag name typed out. Escape or Cancel closes it; nothing pops up.
 */
export function MoveForm({
  environment,
  flag,
  option,
  fromPercentage,
  pending,
  refusal,
  onSubmit,
  onCancel
}: MoveFormProps) {
  const [reason, setReason] = useState('')
  const [confirmation, setConfirmation] = useState('')
  const reasonFieldId = useId()
  const confirmationFieldId = useId()
  const to = option.target.rollout_percentage

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (pending) return
    onSubmit(option.needsConfirmation ? { reason, confirmation } : { reason })
  }
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !pending) onCancel()
  }

  return (
    <form
      className="move-form"
      onSubmit={submit}
      onKeyDown={cancelOnEscape}
      aria-label={`Confirm: ${moveLabel(option)}`}
      data-testid="move-form"
    >
      <p className="move-form-summary">
        {moveLabel(option)}: {flag} in {environment}, from {fromPercentage} %{to === undefined ? '' : ` to ${to} %`}
      </p>
      <label htmlFor={reasonFieldId}>Reason for this move (recorded)</label>
      <input
        id={reasonFieldId}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        placeholder="e.g. error rate flat for 3 windows"
        maxLength={2000}
        autoComplete="off"
        aria-required="true"
        autoFocus
      />
      {option.needsConfirmation && (
        <>
          <label htmlFor={confirmationFieldId}>
            Type the flag name <code>{flag}</code> to confirm: this reaches everyone
          </label>
          <input
            id={confirmationFieldId}
            value={confirmation}
            onChange={(event) => setConfirmation(event.target.value)}
            placeholder={flag}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            aria-required="true"
            data-testid="move-confirmation"
          />
        </>
      )}
      <div className="move-form-buttons">
        <BlockableButton type="submit" className="move-submit" blocked={pending}>
          {pending ? 'Writing…' : moveLabel(option)}
        </BlockableButton>
        <BlockableButton onClick={onCancel} blocked={pending}>
          Cancel
        </BlockableButton>
      </div>
      {refusal !== null && <ErrorNotice error={refusal} context="Refused" />}
    </form>
  )
}
