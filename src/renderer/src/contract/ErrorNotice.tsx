import type { ContractError } from '@shared/errors'

/** An error from main, in the operator's words, with its code for searching the log. */
export function ErrorNotice({ error, context }: { error: ContractError; context?: string }) {
  return (
    <p className="error-notice" role="alert">
      {context !== undefined && <strong>{context}: </strong>}
      {error.message} <span className="error-code">({error.code})</span>
    </p>
  )
}
