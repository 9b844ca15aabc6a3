import { FLAG_STATE_FIELDS, type FlagState } from '@shared/flag-state'

/**
 * The fields in which two flag states differ, in the order of FLAG_STATE_FIELDS.
 *
 * Scalars (including the dates) compare exactly; give it states parsed with FlagStateSchema,
 * so spellings the schema normalises (an empty date gate becomes null) already agree. The
 * user lists compare order-insensitively after trimming each entry, because sources store
 * them as comma-separated text whose order and spacing carry no meaning; case and duplicates
 * still count as a difference.
 */
export function differingFields(a: FlagState, b: FlagState): (keyof FlagState)[] {
  return FLAG_STATE_FIELDS.filter((field) => {
    if (field === 'whitelist_users' || field === 'blacklist_users') {
      return !sameUserList(a[field], b[field])
    }
    return a[field] !== b[field]
  })
}

function sameUserList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const sortedA = a.map((user) => user.trim()).sort()
  const sortedB = b.map((user) => user.trim()).sort()
  return sortedA.every((user, i) => user === sortedB[i])
}
