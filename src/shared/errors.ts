/**
 * Errors cross every boundary (IPC, WebSocket, CLI) as `{ code, message, detail? }`.
 * The message is written for the operator; the detail is for the log.
 */
const ERROR_CODES = ['bad_input', 'conflict', 'refused', 'unreachable', 'failed'] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ContractError {
  code: ErrorCode
  message: string
  detail?: unknown
}

export class RampartError extends Error {
  readonly code: ErrorCode
  readonly detail?: unknown

  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message)
    this.name = 'RampartError'
    this.code = code
    this.detail = detail
  }

  toContractError(): ContractError {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail }
  }
}

function isContractError(value: unknown): value is ContractError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return (
    typeof candidate.message === 'string' &&
    typeof candidate.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(candidate.code)
  )
}

/** Anything thrown becomes a contract error; unknown failures never leak a stack trace. */
export function toContractError(error: unknown): ContractError {
  if (error instanceof RampartError) return error.toContractError()
  if (isContractError(error)) return { code: error.code, message: error.message, detail: error.detail }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'failed', message }
}
