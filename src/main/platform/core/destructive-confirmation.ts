import { RampartError } from '@shared/errors'

export interface ConfirmationRequest {
  /** What is about to happen, e.g. "rollback" or "restore". */
  action: string
  environment: string
  protected: boolean
  database: string
  /** An explicit yes; enough outside protected environments. */
  confirm?: boolean | undefined
  /** The database name as typed by the operator; required in protected environments. */
  confirmation?: string | undefined
}

/**
 * A destructive database action needs an explicit yes; in a protected environment only the
 * database name, typed, counts (a reflex "--yes" must not be enough there).
 */
export function requireConfirmation(request: ConfirmationRequest): void {
  const { action, environment, database, confirmation } = request
  if (confirmation !== undefined && confirmation !== database) {
    throw new RampartError(
      'refused',
      `The confirmation "${confirmation}" does not match the database "${database}" ` +
        `of environment "${environment}"; nothing was done (${action})`
    )
  }
  if (request.protected) {
    if (confirmation === database) return
    throw new RampartError(
      'refused',
      `Environment "${environment}" is protected: ` +
        `${action} of database "${database}" needs the database name typed as confirmation ` +
        `(on the command line: --confirm ${database}); nothing was done`
    )
  }
  if (request.confirm === true || confirmation === database) return
  throw new RampartError(
    'refused',
    `${capitalise(action)} of database "${database}" in environment "${environment}" changes it; ` +
      'confirm explicitly (on the command line: --confirm); nothing was done'
  )
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
