import { RampartError } from '@shared/errors'

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i
const EPOCH_SECONDS = /^\d{1,12}(\.\d{1,9})?$/
// Go-style durations as `docker logs --since` takes them: 90s, 10m, 1h30m, 2d (days are ours).
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Reads a `--since` value: an ISO 8601 instant with a zone, Unix seconds, or a duration back
 * from `now` (10m, 1h30m). `option` names the flag in the error, for the operator.
 */
export function parseLogSince(text: string, now: Date, option = '--since'): Date {
  const value = text.trim()
  if (INSTANT.test(value)) {
    const epochMs = Date.parse(value)
    if (!Number.isNaN(epochMs)) return new Date(epochMs)
  } else if (EPOCH_SECONDS.test(value)) {
    return new Date(Number(value) * 1000)
  } else if (DURATION.test(value)) {
    let ms = 0
    for (const [, amount, unit] of value.matchAll(DURATION_PART)) ms += Number(amount) * UNIT_MS[unit!]!
    return new Date(now.getTime() - ms)
  }
  throw new RampartError(
    'bad_input',
    `${option} ${JSON.stringify(text)} is not an ISO 8601 instant with a zone (2025-11-01T12:00:00Z), ` +
      'Unix seconds, or a duration such as 10m or 1h30m'
  )
}
