import { RampartError } from '@shared/errors'

/**
 * Extra labels for the containers Rampart creates, from `key=value` pairs separated by commas
 * (RAMPART_DEMO_LABELS), e.g. `team=ops,rampart.test=1`.
 */
export function parseContainerLabels(text: string | undefined, variable: string): Record<string, string> {
  const labels: Record<string, string> = {}
  if (text === undefined || text.trim() === '') return labels
  for (const pair of text.split(',')) {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)=([^,]*?)\s*$/.exec(pair)
    if (match === null)
      throw new RampartError(
        'bad_input',
        `${variable}: "${pair.trim()}" is not a key=value label (e.g. team=ops,rampart.test=1)`
      )
    labels[match[1]!] = match[2]!
  }
  return labels
}
