import type { FlagView } from '@shared/views'

/**
 * The flag the emergency action will act on, from what is in its flag field: the flag of that
 * name, or the only flag whose name contains the text (case aside). Null when the text names no
 * flag or several: then the action names none and does nothing, rather than guess.
 */
export function emergencyTarget(flags: readonly FlagView[], text: string): FlagView | null {
  const wanted = text.trim()
  if (wanted === '') return null
  const exact = flags.find((view) => view.flag === wanted)
  if (exact !== undefined) return exact
  const matching = flags.filter((view) => view.flag.toLowerCase().includes(wanted.toLowerCase()))
  return matching.length === 1 ? matching[0]! : null
}
