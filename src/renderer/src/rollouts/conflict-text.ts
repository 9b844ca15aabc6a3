import { detailOf, type MoveConflictDetail } from '@shared/error-details'
import type { ContractError } from '@shared/errors'

/**
 * What changed under the operator, from a move's `conflict` error: one line per field, e.g.
 * "rollout_percentage: you saw 100, the source now holds 37". Null when the error does not
 * carry both states (a lock held by another move, for instance): its message says it all.
 */
export function conflictChanges(error: ContractError): string[] | null {
  const detail = detailOf<MoveConflictDetail>(error)
  if (detail === null) return null
  const { expected, current, fields } = detail
  if (!isRecord(expected) || !isRecord(current) || !Array.isArray(fields)) return null
  return fields
    .filter((field): field is string => typeof field === 'string')
    .map(
      (field) => `${field}: you saw ${valueText(expected[field])}, the source now holds ${valueText(current[field])}`
    )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(empty list)' : value.join(', ')
  if (value === null || value === undefined) return '(none)'
  return String(value)
}
