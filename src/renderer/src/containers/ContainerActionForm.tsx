import { useState, type FormEvent, type KeyboardEvent } from 'react'
import type { ContainerView } from '@shared/container-types'
import { BlockableButton } from '@renderer/contract/BlockableButton'
import { ErrorNotice } from '@renderer/contract/ErrorNotice'
import { TypedConfirmation } from '@renderer/contract/TypedConfirmation'
import { useAction } from '@renderer/contract/useAction'
import { CONTAINER_ACTIONS, roleText, type ContainerAction } from './container-text'

interface ContainerActionFormProps {
  environment: string
  container: ContainerView
  action: ContainerAction
  /** Main's answer: the container as it stands after the action. */
  onDone: (view: ContainerView) => void
  onCancel: () => void
}

/**
 * Restart, stop or start one container, inline: its name typed again (main compares it and
 * refuses a mismatch, shown here), recorded with who did it. Escape or Cancel closes it.
 */
export function ContainerActionForm({ environment, container, action, onDone, onCancel }: ContainerActionFormProps) {
  const act = useAction('docker.action')
  const [confirmation, setConfirmation] = useState('')
  const words = CONTAINER_ACTIONS.find((choice) => choice.action === action)!
  const label = words.label
  const refusal = act.result?.ok === false ? act.result.error : null

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (act.pending) return
    const answer = await act.run({ environment, container: container.name, action, confirmation })
    if (answer.ok) onDone(answer.value)
  }
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !act.pending) onCancel()
  }

  return (
    <form
      className="container-form"
      onSubmit={submit}
      onKeyDown={cancelOnEscape}
      aria-label={`${label} ${container.name}`}
      data-testid="container-form"
    >
      <p className="container-form-summary">
        {label} the {roleText(container.role)} container <code>{container.name}</code> in {environment}
      </p>
      <TypedConfirmation
        expected={container.name}
        purpose={`to ${action} it`}
        value={confirmation}
        onChange={setConfirmation}
        testId="container-confirmation"
        autoFocus
      />
      <div className="db-buttons">
        <BlockableButton type="submit" className="db-danger" blocked={act.pending} data-testid="container-submit">
          {act.pending ? words.pending : `${label} ${container.name}`}
        </BlockableButton>
        <BlockableButton blocked={act.pending} onClick={onCancel}>
          Cancel
        </BlockableButton>
      </div>
      {refusal !== null && (
        <ErrorNotice
          error={refusal}
          context={`${label} of ${container.name} ${refusal.code === 'refused' ? 'refused' : 'failed'}`}
        />
      )}
    </form>
  )
}
